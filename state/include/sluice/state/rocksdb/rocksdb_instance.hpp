#pragma once
// One RocksDB instance at the level of bytes: what the typed RocksDB states and the backend call,
// declared without RocksDB types so that only state/src/rocksdb/ includes RocksDB. A column family
// holds one state; it is addressed by the index column_family() returns. Errors are state_errors
// naming the operator (the owner) and the state or directory.

#include "sluice/state/key_group.hpp"
#include "sluice/state/state_descriptor.hpp"
#include "sluice/state/state_handle.hpp"
#include "sluice/state/ttl.hpp"

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

class rocksdb_shared_resources;
class rocksdb_moves;

/// What the compaction filter and counting need to read a state's values without its types.
struct rocksdb_column_format {
  state_kind kind = state_kind::value;
  std::int64_t ttl_ms = 0; ///< 0: values carry no timestamp
};

/// One key group's entries of one state in a RocksDB checkpoint, in key order, each key without
/// its two key-group bytes (what a restore into the heap backend converts).
struct rocksdb_key_group_entries {
  std::string state;
  std::string signature;
  rocksdb_column_format format;
  int key_group = 0;
  std::vector<std::pair<std::string, std::string>> entries;
};

/// Opens the RocksDB checkpoint in `dir` read-only and calls f once per state and key group of
/// `range` that has entries. Errors are state_errors naming `owner` and the checkpoint.
void read_rocksdb_checkpoint(const std::string& owner, const std::string& dir,
                             key_group_range range,
                             const std::function<void(rocksdb_key_group_entries&&)>& f);

/// A cache in front of a column family (rocksdb_value_cache.hpp) whose changes the instance
/// writes back before it reads a column family as a whole.
class rocksdb_write_back {
public:
  /// Writes every change the cache holds into the instance.
  virtual void write_back() = 0;

protected:
  ~rocksdb_write_back() = default;
};

class rocksdb_instance {
public:
  /// A new, empty instance in the existing, empty directory `dir`. RocksDB opens it when it is
  /// first used; restore_whole, first, opens the checkpoint instead (no empty instance is made
  /// and closed again: that costs a restore tens of milliseconds while files are being synced).
  rocksdb_instance(std::string owner, std::string dir,
                   std::shared_ptr<rocksdb_shared_resources> resources, const ttl_clock& clock);
  ~rocksdb_instance();
  rocksdb_instance(const rocksdb_instance&) = delete;
  rocksdb_instance& operator=(const rocksdb_instance&) = delete;

  /// The column family of state `name`, created if new. A restored one must have been stored
  /// with the same signature and with TTL on or off alike; else a state_error naming the state.
  int column_family(const std::string& name, const std::string& signature,
                    rocksdb_column_format format);

  /// Reads `key` into `value`; false if absent.
  bool get(int cf, std::string_view key, std::string& value);
  void put(int cf, std::string_view key, std::string_view value);
  /// Appends to a list (the merge operator concatenates).
  void merge(int cf, std::string_view key, std::string_view value);
  void remove(int cf, std::string_view key);
  /// Calls f(key, value) on the entries whose key starts with `prefix`, in key order, until f
  /// returns false. f may put or remove entries of the column family.
  void scan(int cf, std::string_view prefix,
            const std::function<bool(std::string_view, std::string_view)>& f);

  /// Live entries of the state `name` (0 if it does not exist); see entry_count.
  std::size_t count(const std::string& name);
  /// Compacts every column family, so the TTL filter drops whatever has expired.
  void compact_all();

  /// Flushes every memtable and creates a RocksDB checkpoint in `dir` (which must not exist):
  /// SST files are hard-linked, the rest copied.
  void checkpoint(const std::string& dir);
  /// Replaces this (still empty) instance by the checkpoint `part` describes (either RocksDB
  /// form), then deletes every key group outside `keep`.
  void restore_whole(const keyed_state_part& part, key_group_range keep);
  /// Copies the key groups of `range` from the checkpoint in `dir` into this instance.
  void import_key_groups(const std::string& dir, key_group_range range);

  /// Starts writing the key groups of `ranges` into SST files under `dir` (created) for the
  /// successors a rescale will give them to, while this instance goes on (rocksdb_moves.hpp).
  /// The future is ready once the bulk is written and the memtables flushed. Replaces moves
  /// prepared before. With no ranges only the memtables are flushed: the rescale only replaces
  /// this instance's subtask.
  std::shared_future<void> prepare_moves(std::vector<key_group_range> ranges,
                                         const std::string& dir);
  /// Completes the prepared moves with what was written since; returns their directory (empty:
  /// none were prepared, or no key groups move). Throws state_error if they cannot be completed.
  std::string finish_moves();
  /// Drops the prepared moves and their files.
  void cancel_moves();
  /// Whether a rescale will replace this instance's subtask (from prepare_moves until
  /// finish_moves or cancel_moves): the value caches then write back as they go.
  bool handing_off() const { return moves_ != nullptr; }
  /// Ingests the key groups a predecessor's finish_moves left in `dir`: false, changing nothing,
  /// if `dir` does not hold them whole.
  bool ingest_moves(const std::string& dir);

  const std::string& dir() const;

  /// Registers a cache whose changes checkpoint(), count() and compact_all() write back first;
  /// it must outlive every call of those.
  void add_write_back(rocksdb_write_back& cache) { write_backs_.push_back(&cache); }

private:
  friend class rocksdb_moves; // works on impl
  void write_back_caches();

  struct impl;
  /// The instance, opened first if it is not yet.
  impl& opened();
  std::unique_ptr<impl> impl_;
  std::unique_ptr<rocksdb_moves> moves_; ///< prepared moves; destroyed before impl_
  std::vector<rocksdb_write_back*> write_backs_;
};

} // namespace sluice
