#pragma once
// The storage of one heap keyed state: per key group an open-addressing hash map from the
// current key's byte form (followed by the namespace's, when there is one) to a typed entry.
// While every key is at most 8 bytes (integral keys outside windows) the maps keep their keys
// as compact_state_key, so an entry of a 64-bit key and value fills half a cache line; the
// first longer key moves them to heap_state_key for good.
// Entries are never serialized except in snapshots, so an access costs one probe, with no
// allocation: the backend hashes the key and namespace once for all states
// (current_state_key), and entries keep that hash and short keys inline (heap_state_key.hpp).
//
// The state remembers the slot of the current key's entry between calls, so a read-modify-write
// (value() then update()) probes the table once. The slot stays valid while the backend's
// current key and namespace stay (current_key_version()) and the table neither gains nor loses
// an entry; the table forgets it whenever it does.
//
// TTL: every entry carries the stamp of its last write (and read, with on_read_and_write). An
// expired entry is removed when an access meets it, and each access also inspects a couple of
// further entries through a cursor that walks the whole table over time (Flink's incremental
// cleanup), so state of keys that never come back is still reclaimed. What an "entry" is comes
// from Traits (heap_state_traits.hpp): a value or accumulator has one stamp; a list has one per
// element, a map one per user key.
//
// Incremental snapshots: the table flags each key group whose entries changed (a write, a
// removal, an expiry, a TTL stamp refreshed on read) since the backend last took the flags
// (take_dirty): one byte store per change on the per-record path. Restores do not flag, nor
// does pruning the expired elements of a list or map that stays: a snapshot that keeps them
// restores them expired, as they are.

#include "sluice/state/flat_hash_map.hpp"
#include "sluice/state/heap/heap_state_key.hpp"
#include "sluice/state/keyed_state_backend.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace sluice::detail {

/// The incremental TTL cleanup one access of a state does: it walks at most `slots` slots of
/// the table and stops early once it has met `entries` entries (expired or not).
struct incremental_cleanup {
  static constexpr int slots = 16;
  static constexpr int entries = 2;
};

/// What the heap backend does with every state, whatever its type.
class heap_state_base {
public:
  virtual ~heap_state_base() = default;
  /// Appends the entries of `key_group` to `out`; false (nothing written) if it has none.
  virtual bool write_key_group(int key_group, std::vector<char>& out) = 0;
  /// Adds the entries of a section written by write_key_group.
  virtual void read_key_group(int key_group, byte_reader& in) = 0;
  /// Live entries (a list counts its elements, a map its entries).
  virtual std::size_t live_units() = 0;
  /// Entries stored, expired or not: one per key and namespace.
  virtual std::size_t stored_entries() const = 0;
  /// Removes every expired entry.
  virtual void remove_expired() = 0;
  /// Starts loading the slot of `key` in `key_group` into the cache.
  virtual void prefetch(int key_group, const state_key_view& key) const = 0;
  /// ORs into `dirty` (one byte per key group of the backend's range) the key groups changed
  /// since the last call, and clears them.
  virtual void take_dirty(std::vector<std::uint8_t>& dirty) = 0;
};

/// The per key group maps of one state, all with key type Key.
template <class Key, class Stored>
struct key_group_maps {
  using map_type = flat_hash_map<Key, Stored, heap_state_key_hash>;
  std::vector<std::unique_ptr<map_type>> maps;

  /// Key groups get a map on first use: a subtask may own thousands, most of them empty.
  map_type& at(std::size_t index) {
    auto& map = maps[index];
    if (!map)
      map = std::make_unique<map_type>();
    return *map;
  }
  map_type* find(std::size_t index) const { return maps[index].get(); }
};

template <class Traits>
class heap_state_table final : public heap_state_base {
public:
  using stored = typename Traits::stored;

  heap_state_table(const keyed_state_backend& backend, const state_descriptor_base& d)
      : backend_(backend), name_(d.name), ttl_(d.ttl) {
    compact_.maps.resize(static_cast<std::size_t>(backend.key_groups().size()));
    dirty_.resize(compact_.maps.size());
  }

  const ttl_config& ttl() const { return ttl_; }
  std::int64_t now() const { return backend_.clock().now_ms(); }

  /// The current key's live entry, or nullptr (an expired entry is removed).
  stored* find() {
    clean_incrementally();
    auto* s = remembered();
    if (!s) {
      const auto& key = current_key();
      s = with_maps([&](auto& maps) -> stored* {
        auto* map = maps.find(group_index());
        return map ? map->find(key) : nullptr;
      });
      if (!s)
        return nullptr;
      remember(s);
    }
    if (ttl_.enabled() && Traits::expired(*s, ttl_, now())) {
      erase_current();
      return nullptr;
    }
    return s;
  }

  /// The current key's entry and whether it is new (absent or expired before: then empty).
  std::pair<stored*, bool> find_or_create() {
    clean_incrementally();
    auto* s = remembered();
    bool created = false;
    if (!s) {
      const auto& key = current_key();
      if (!wide_ && !compact_state_key::fits(key))
        widen();
      std::tie(s, created) =
          with_maps([&](auto& maps) { return maps.at(group_index()).try_emplace(key); });
      remember(s);
    }
    mark_dirty();
    if (!created && ttl_.enabled() && Traits::expired(*s, ttl_, now())) {
      *s = stored{};
      created = true;
    }
    return {s, created};
  }

  /// Removes the current key's entry.
  void erase() {
    clean_incrementally();
    erase_current();
  }

  /// Flags the current key's key group as changed: states call it when they change an entry
  /// find() returned (find_or_create() and erase() flag by themselves).
  void mark_dirty() { dirty_[group_index()] = 1; }

  void take_dirty(std::vector<std::uint8_t>& dirty) override {
    for (std::size_t g = 0; g < dirty_.size(); ++g) {
      dirty[g] |= dirty_[g];
      dirty_[g] = 0;
    }
  }

  bool write_key_group(int key_group, std::vector<char>& out) override {
    return with_maps([&](auto& maps) {
      auto* map = maps.find(index_of(key_group));
      if (!map || map->empty())
        return false;
      byte_writer w(out);
      w.write_varint(map->size());
      map->for_each([&](const auto& key, const stored& s) {
        // As serializer<std::string> writes it: length, then bytes.
        w.write_varint(key.bytes().size());
        w.write_bytes(key.bytes().data(), key.bytes().size());
        Traits::write(w, s);
      });
      return true;
    });
  }

  void read_key_group(int key_group, byte_reader& in) override {
    remembered_ = nullptr;
    for (auto n = in.read_length(); n > 0; --n) {
      const auto size = in.read_length();
      const state_key_view key(std::string_view(in.take(size), size));
      if (!wide_ && !compact_state_key::fits(key))
        widen();
      with_maps([&](auto& maps) {
        Traits::read(in, *maps.at(index_of(key_group)).try_emplace(key).first, ttl_);
      });
    }
  }

  std::size_t live_units() override {
    const auto t = now();
    std::size_t n = 0;
    for_each_map([&](auto& map) {
      map.for_each([&](const auto&, const stored& s) { n += Traits::live_units(s, ttl_, t); });
    });
    return n;
  }

  void prefetch(int key_group, const state_key_view& key) const override {
    with_maps([&](auto& maps) {
      if (auto* map = maps.find(index_of(key_group)))
        map->prefetch(key);
    });
  }

  std::size_t stored_entries() const override {
    std::size_t n = 0;
    with_maps([&](auto& maps) {
      for (auto& map : maps.maps)
        n += map ? map->size() : 0;
    });
    return n;
  }

  void remove_expired() override {
    if (!ttl_.enabled())
      return;
    const auto t = now();
    with_maps([&](auto& maps) {
      for (std::size_t g = 0; g < maps.maps.size(); ++g)
        if (auto* map = maps.find(g))
          for (std::size_t i = 0; i < map->capacity();)
            i = prune_slot(*map, g, i, t);
    });
  }

private:
  /// Keys stay compact (compact_state_key) until a key longer than 8 bytes arrives; then every
  /// map moves to heap_state_key for good (widen()).
  using compact_maps = key_group_maps<compact_state_key, stored>;
  using wide_maps = key_group_maps<heap_state_key, stored>;

  /// f(maps) on the maps in use.
  template <class F>
  decltype(auto) with_maps(F&& f) {
    return wide_ ? f(wide_maps_) : f(compact_);
  }
  template <class F>
  decltype(auto) with_maps(F&& f) const {
    return wide_ ? f(wide_maps_) : f(compact_);
  }
  /// f(map) on every existing map in use.
  template <class F>
  void for_each_map(F&& f) {
    with_maps([&](auto& maps) {
      for (auto& map : maps.maps)
        if (map)
          f(*map);
    });
  }

  /// Moves every entry to heap_state_key maps.
  void widen() {
    remembered_ = nullptr;
    cursor_slot_ = 0;
    wide_maps_.maps.resize(compact_.maps.size());
    for (std::size_t g = 0; g < compact_.maps.size(); ++g) {
      if (auto* from = compact_.find(g)) {
        auto& to = wide_maps_.at(g);
        from->for_each([&](const compact_state_key& key, stored& s) {
          *to.try_emplace(key.view()).first = std::move(s);
        });
      }
    }
    compact_.maps.clear();
    wide_ = true;
  }

  /// The hash map key of the current key and namespace. The key's byte form is
  /// self-delimiting, so key + namespace never collides with another.
  const state_key_view& current_key() const {
    if (backend_.current_key_group() < 0)
      throw state_error("operator '" + backend_.owner() + "': state '" + name_ +
                        "' is used without a current key");
    return backend_.current_state_key();
  }

  std::size_t index_of(int key_group) const {
    return static_cast<std::size_t>(key_group - backend_.key_groups().first);
  }
  std::size_t group_index() const { return index_of(backend_.current_key_group()); }

  /// The slot remembered for the current key, or nullptr if the key changed since.
  stored* remembered() const {
    return remembered_ && remembered_version_ == backend_.current_key_version() ? remembered_
                                                                                : nullptr;
  }
  void remember(stored* s) {
    remembered_ = s;
    remembered_version_ = backend_.current_key_version();
  }

  void erase_current() {
    const auto& key = current_key();
    remembered_ = nullptr;
    mark_dirty();
    with_maps([&](auto& maps) {
      if (auto* map = maps.find(group_index()))
        map->erase(key);
    });
  }

  /// Prunes the entry in slot i (if any) of the map of key group index `group`; returns the
  /// next slot to look at.
  template <class Map>
  std::size_t prune_slot(Map& map, std::size_t group, std::size_t i, std::int64_t t) {
    auto [key, s] = map.entry_at(i);
    if (!key || !Traits::prune(*s, ttl_, t))
      return i + 1;
    remembered_ = nullptr;
    dirty_[group] = 1;
    map.erase_at(i);
    return i; // a later entry may have moved into slot i
  }

  void clean_incrementally() {
    if (ttl_.enabled())
      with_maps([&](auto& maps) { clean_some(maps); });
  }
  template <class Maps>
  void clean_some(Maps& maps) {
    const auto t = now();
    int inspected = 0;
    for (int step = 0;
         step < incremental_cleanup::slots && inspected < incremental_cleanup::entries; ++step) {
      if (cursor_group_ >= maps.maps.size()) {
        cursor_group_ = 0;
        cursor_slot_ = 0;
      }
      auto* map = maps.find(cursor_group_);
      if (!map || cursor_slot_ >= map->capacity()) {
        ++cursor_group_;
        cursor_slot_ = 0;
        continue;
      }
      if (map->entry_at(cursor_slot_).first)
        ++inspected;
      cursor_slot_ = prune_slot(*map, cursor_group_, cursor_slot_, t);
    }
  }

  const keyed_state_backend& backend_;
  std::string name_;
  ttl_config ttl_;
  bool wide_ = false;
  compact_maps compact_;
  wide_maps wide_maps_;
  std::size_t cursor_group_ = 0;
  std::size_t cursor_slot_ = 0;
  stored* remembered_ = nullptr;
  std::uint64_t remembered_version_ = 0;
  /// Per key group index: changed since take_dirty.
  std::vector<std::uint8_t> dirty_;
};

} // namespace sluice::detail
