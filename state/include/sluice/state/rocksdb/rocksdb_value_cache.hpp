#pragma once
// A bounded write-back cache in front of a RocksDB state that keeps one value per key and
// namespace (value, reducing, aggregating; a list as one value): the values of recently used
// keys stay deserialized in memory, and a change is written to RocksDB only when its entry is
// evicted or something reads the column family as a whole (a checkpoint, a count, a compaction;
// rocksdb_instance calls write_back() first). So a hot key costs a hash lookup, not a RocksDB
// read, a deserialization, a serialization and a RocksDB write per access. A full cache evicts
// one entry per new one, by the clock (second chance): a key used since the hand last passed it
// stays, and only the evicted entry is written, so no access waits for a whole cache's worth of
// writes (what a record waits for stays bounded as the keys outgrow the cache). Absent values are
// cached too (a key read and found empty is not read again), and a value made and cleared while
// cached never reaches RocksDB (a window's accumulator that fires before its entry is evicted).
// The cache lists its dirty entries, so a write-back touches those and not the whole cache. While
// a rescale's hand-off is prepared (rocksdb_instance::handing_off), every access also writes
// back one dirty entry once 64 are dirty, so that little is left to write back at the rescale's
// stop, where the job stands still until it is written.
// States under TTL are not cached: their values carry the time of their last access.

#include "sluice/state/rocksdb/rocksdb_instance.hpp"
#include "sluice/state/serialization.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sluice::detail {

/// How a value state's value is stored: its serializer's bytes.
struct serialized_value {
  template <class V> void encode(std::vector<char>& out, const V& v) {
    byte_writer w(out);
    serialize(w, v);
  }
};

/// A cache of values V in front of one column family; Encoding{}.encode(out, v) appends the
/// bytes RocksDB holds for v.
template <class V, class Encoding = serialized_value>
class rocksdb_value_cache final : public rocksdb_write_back {
public:
  /// entry::dirty_at of an entry that is not dirty.
  static constexpr std::size_t clean = static_cast<std::size_t>(-1);
  /// While a rescale's hand-off is prepared, an access first writes back one dirty entry when
  /// this many are dirty: no more are left for the rescale's stop to write back.
  static constexpr std::size_t dirty_while_handing_off = 64;

  struct entry {
    std::optional<V> value; ///< empty: the key has no value
    bool used = false;      ///< read or written since the last eviction sweep
    bool stored = false;    ///< RocksDB may hold a value of the key
    const std::string* key = nullptr; ///< the cache's key of this entry
    std::size_t dirty_at = clean;     ///< its place in the list of dirty entries, or clean

    /// Whether the entry differs from what RocksDB holds.
    bool dirty() const { return dirty_at != clean; }
  };

  /// A cache of at most `capacity` (> 0) entries in front of column family `cf` of `db`.
  rocksdb_value_cache(rocksdb_instance& db, int cf, std::size_t capacity)
      : db_(db), cf_(cf), capacity_(capacity) {
    db_.add_write_back(*this);
    hand_ = entries_.end();
  }
  rocksdb_value_cache(const rocksdb_value_cache&) = delete;
  rocksdb_value_cache& operator=(const rocksdb_value_cache&) = delete;

  /// The entry of `key`, or nullptr if it is not cached.
  entry* find(std::string_view key) {
    if (db_.handing_off() && dirty_.size() >= dirty_while_handing_off)
      store_last_dirty();
    probe_.assign(key.data(), key.size());
    const auto it = entries_.find(probe_);
    if (it == entries_.end())
      return nullptr;
    it->second.used = true;
    return &it->second;
  }

  /// The entry of `key`, cached first with fetch()'s value (what RocksDB holds) if it is not.
  /// Valid until the next load() or assign().
  template <class Fetch> entry& load(std::string_view key, Fetch&& fetch) {
    if (auto* e = find(key))
      return *e;
    auto& e = insert(key, fetch());
    e.stored = e.value.has_value();
    return e;
  }

  /// Makes `value` the value of `key` (dirty), cached or not.
  void assign(std::string_view key, std::optional<V>&& value) {
    auto* e = find(key);
    if (e == nullptr) {
      e = &insert(key, std::move(value));
      e->stored = true; // not read: RocksDB may hold one
    } else {
      e->value = std::move(value);
    }
    changed(*e);
  }

  /// Marks `e`, an entry of this cache whose value was changed in place, dirty.
  void changed(entry& e) {
    if (e.dirty())
      return;
    e.dirty_at = dirty_.size();
    dirty_.push_back(&e);
  }

  /// Writes every dirty entry into RocksDB; the entries stay cached, clean.
  void write_back() override {
    for (auto* e : dirty_)
      store(*e);
    dirty_.clear();
  }

  std::size_t size() const { return entries_.size(); }

private:
  /// Caches `value` as the entry of `key`, which is not cached; evicts one first when full.
  entry& insert(std::string_view key, std::optional<V>&& value) {
    if (entries_.size() >= capacity_)
      evict_one();
    const auto buckets = entries_.bucket_count();
    auto& [stored_key, e] = *entries_.try_emplace(std::string(key)).first;
    // A rehash (only while the cache fills: a full one holds no more than it held before) moves
    // the entries between buckets (not in memory): the hand starts over.
    if (entries_.bucket_count() != buckets)
      hand_ = entries_.end();
    e.key = &stored_key;
    e.value = std::move(value);
    e.used = true;
    return e;
  }

  /// Moves the hand on to the first entry not used since the hand last passed it (clearing the
  /// marks it passes), writes that entry if it is dirty and drops it. At most one round.
  void evict_one() {
    for (;;) {
      if (hand_ == entries_.end())
        hand_ = entries_.begin();
      auto& e = hand_->second;
      if (!e.used)
        break;
      e.used = false;
      ++hand_;
    }
    auto& e = hand_->second;
    if (e.dirty()) {
      // Out of the list: the last dirty entry takes its place.
      auto* last = dirty_.back();
      dirty_[e.dirty_at] = last;
      last->dirty_at = e.dirty_at;
      dirty_.pop_back();
      store(e);
    }
    hand_ = entries_.erase(hand_);
  }

  /// Writes back the dirty entry listed last (there is one). An access dirties at most one
  /// entry, and cleans one first while handing off and dirty_while_handing_off are dirty.
  void store_last_dirty() {
    auto* e = dirty_.back();
    dirty_.pop_back();
    store(*e);
  }

  /// Writes the value of `e`, or deletes the one RocksDB may hold; `e` is clean then (and no
  /// longer listed: the caller took it out).
  void store(entry& e) {
    if (e.value) {
      bytes_.clear();
      encoding_.encode(bytes_, *e.value);
      db_.put(cf_, *e.key, {bytes_.data(), bytes_.size()});
    } else if (e.stored) {
      db_.remove(cf_, *e.key);
    }
    e.stored = e.value.has_value();
    e.dirty_at = clean;
  }

  rocksdb_instance& db_;
  int cf_;
  std::size_t capacity_;
  Encoding encoding_;
  std::unordered_map<std::string, entry> entries_;
  typename std::unordered_map<std::string, entry>::iterator hand_;
  std::vector<entry*> dirty_; ///< the dirty entries; each knows its place (entry::dirty_at)
  std::string probe_;
  std::vector<char> bytes_;
};

} // namespace sluice::detail
