#pragma once
// The open-addressing table of a snapshot participant that keeps one value per key on the heap
// (keyed_table's): a flat_hash_map (hashed by key_hash) that flags, in a key_group_changes, the
// key group of every key an insertion, an update through try_emplace or an erase changes, so
// incremental heap snapshots write only those key groups' sections. A key is hashed once, for
// the flag and the lookup; the flag is one store. Lookups through find() change nothing.

#include "sluice/state/flat_hash_map.hpp"
#include "sluice/state/key_group_changes.hpp"
#include "sluice/state/key_hash.hpp"

#include <cstddef>
#include <cstdint>
#include <utility>

namespace sluice {

template <class K, class V>
class tracked_flat_hash_map {
public:
  /// The value of `key`, built from args if absent, and whether it was inserted; the key's
  /// group is flagged either way (the caller may change the value through the pointer, which
  /// stays valid until the next insertion).
  template <class... Args>
  std::pair<V*, bool> try_emplace(const K& key, Args&&... args) {
    const hashed h{&key, key_hash(key)};
    changes_.mark_hash(h.hash);
    return map_.try_emplace(h, std::forward<Args>(args)...);
  }
  /// The value of `key`, or nullptr.
  const V* find(const K& key) { return map_.find(key); }
  /// Removes `key`, flagging its group if it was present.
  void erase(const K& key) {
    const hashed h{&key, key_hash(key)};
    if (map_.erase(h))
      changes_.mark_hash(h.hash);
  }
  /// Starts loading the slot of `key` into the cache.
  void prefetch(const K& key) const { map_.prefetch(key); }
  /// Calls f(key, value) for every entry.
  template <class F>
  void for_each(F&& f) {
    map_.for_each([&](const K& key, const V& value) { f(key, value); });
  }
  std::size_t size() const { return map_.size(); }

  /// The key groups changed (keyed_snapshot_participant::changes).
  key_group_changes& changes() { return changes_; }

private:
  /// A key with its key_hash, so that a lookup hashes it once.
  struct hashed {
    const K* key;
    std::uint64_t hash;
    explicit operator K() const { return *key; }
    friend bool operator==(const K& k, const hashed& h) { return k == *h.key; }
  };
  struct table_hash {
    std::uint64_t operator()(const K& key) const { return key_hash(key); }
    std::uint64_t operator()(const hashed& h) const { return h.hash; }
  };

  flat_hash_map<K, V, table_hash> map_;
  key_group_changes changes_;
};

} // namespace sluice
