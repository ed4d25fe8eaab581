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
// While a rescale's moves are prepared (rocksdb_instance::moves_prepared), every access also
// writes back one dirty entry out of the next few a second hand passes, so that little is left to
// write back at the rescale's stop, where the job stands still until it is written.
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
  struct entry {
    std::optional<V> value; ///< empty: the key has no value
    bool dirty = false;     ///< differs from what RocksDB holds
    bool used = false;      ///< read or written since the last eviction sweep
    bool stored = false;    ///< RocksDB may hold a value of the key
  };

  /// A cache of at most `capacity` (> 0) entries in front of column family `cf` of `db`.
  rocksdb_value_cache(rocksdb_instance& db, int cf, std::size_t capacity)
      : db_(db), cf_(cf), capacity_(capacity) {
    db_.add_write_back(*this);
    hand_ = entries_.end();
    cleaner_ = entries_.end();
  }
  rocksdb_value_cache(const rocksdb_value_cache&) = delete;
  rocksdb_value_cache& operator=(const rocksdb_value_cache&) = delete;

  /// The entry of `key`, or nullptr if it is not cached.
  entry* find(std::string_view key) {
    if (db_.moves_prepared())
      clean_one();
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
    e->dirty = true;
  }

  /// Writes every dirty entry into RocksDB; the entries stay cached, clean.
  void write_back() override {
    for (auto& [key, e] : entries_)
      if (e.dirty)
        store(key, e);
  }

  std::size_t size() const { return entries_.size(); }

private:
  /// Caches `value` as the entry of `key`, which is not cached; evicts one first when full.
  entry& insert(std::string_view key, std::optional<V>&& value) {
    if (entries_.size() >= capacity_)
      evict_one();
    const auto buckets = entries_.bucket_count();
    auto& e = entries_[std::string(key)];
    // A rehash (only while the cache fills: a full one holds no more than it held before) moves
    // the entries: both hands start over.
    if (entries_.bucket_count() != buckets) {
      hand_ = entries_.end();
      cleaner_ = entries_.end();
    }
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
    if (hand_->second.dirty)
      store(hand_->first, hand_->second);
    const bool cleaner_here = cleaner_ == hand_;
    hand_ = entries_.erase(hand_);
    if (cleaner_here)
      cleaner_ = hand_;
  }

  /// Moves the cleaner on by up to clean_reach entries, writing back the first dirty one. An
  /// access dirties at most one entry and this cleans one while more than about one entry in
  /// clean_reach is dirty: that bounds what the rescale's stop writes back.
  void clean_one() {
    for (std::size_t i = 0; i < clean_reach && !entries_.empty(); ++i) {
      if (cleaner_ == entries_.end())
        cleaner_ = entries_.begin();
      auto& [key, e] = *cleaner_++;
      if (e.dirty) {
        store(key, e);
        return;
      }
    }
  }

  /// Writes the value of `e` at `key`, or deletes the one RocksDB may hold; `e` is clean then.
  void store(const std::string& key, entry& e) {
    if (e.value) {
      bytes_.clear();
      encoding_.encode(bytes_, *e.value);
      db_.put(cf_, key, {bytes_.data(), bytes_.size()});
    } else if (e.stored) {
      db_.remove(cf_, key);
    }
    e.stored = e.value.has_value();
    e.dirty = false;
  }

  static constexpr std::size_t clean_reach = 64;

  rocksdb_instance& db_;
  int cf_;
  std::size_t capacity_;
  Encoding encoding_;
  std::unordered_map<std::string, entry> entries_;
  typename std::unordered_map<std::string, entry>::iterator hand_;
  typename std::unordered_map<std::string, entry>::iterator cleaner_; ///< see clean_one
  std::string probe_;
  std::vector<char> bytes_;
};

} // namespace sluice::detail
