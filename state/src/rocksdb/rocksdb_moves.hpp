#pragma once
// The key groups a rescale will move away from a RocksDB instance, written into SST files
// while the job still runs (rocksdb_instance::prepare_moves), so that the successor ingests
// files instead of copying entries while the job stands still.
//
// Preparing takes a RocksDB snapshot and writes, on a thread of its own, one SST file per range
// and state of what the snapshot holds, then flushes the memtables (so that the rescale's
// checkpoint at the stop flushes only what was written since); meanwhile the instance reports
// every write into those key groups here. Without ranges it only flushes: the rescale replaces
// the instance's subtask, and nothing moves away from it. The first write after that (with
// changes recorded) writes, per range and state, an SST file of the entries written since the
// snapshot (their values now, or a deletion), while the job still runs. Finishing (at the
// rescale's stop) writes one more of the entries written since, one of the states' metadata,
// then a MANIFEST: the files in the order they are ingested (a later file wins). Layout of
// `dir`: one directory "<first>-<last>" per range, holding the files and the MANIFEST, each of
// whose lines is "<file>\t<state>" (no state: the metadata).

#include "rocksdb_instance_impl.hpp"

#include <rocksdb/db.h>

#include <atomic>
#include <cstddef>
#include <future>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

class rocksdb_moves {
public:
  /// Starts preparing the key groups `ranges` of `d` into the new directory `dir`.
  rocksdb_moves(rocksdb_instance::impl& d, std::vector<key_group_range> ranges, std::string dir);
  /// Waits for the preparing thread; the files stay.
  ~rocksdb_moves();
  rocksdb_moves(const rocksdb_moves&) = delete;
  rocksdb_moves& operator=(const rocksdb_moves&) = delete;

  /// Ready once the snapshot's files are written and the memtables flushed (or that failed:
  /// finish throws then).
  std::shared_future<void> prepared() const { return prepared_; }

  /// What the instance wrote into column family `cf` (its writes go through these).
  void put(int cf, std::string_view key, std::string_view value);
  void merge(int cf, std::string_view key);
  void remove(int cf, std::string_view key);

  /// Waits until prepared, then writes the entries changed since and the MANIFESTs. Throws
  /// state_error if a file cannot be written or the changes outgrew what is kept of them.
  void finish();

  const std::string& dir() const { return dir_; }
  /// Whether no key groups move (finish writes nothing).
  bool empty() const { return ranges_.empty(); }

private:
  /// A change since the snapshot: a value, a deletion (nullopt), or a merge (read when written).
  struct change {
    std::optional<std::string> value;
    bool merged = false;
  };
  /// Writes the snapshot's files (the preparing thread).
  void write_snapshot_files();
  /// Writes the changes recorded so far into SST files (one more round) and forgets them.
  void write_changes();
  /// write_changes once the snapshot's files are written (the first write with changes
  /// recorded after that); a failure drops the moves.
  void write_early();
  /// The directory of range `r`.
  std::string range_dir(std::size_t r) const;
  /// Whether `key` lies in one of the ranges.
  bool moving(std::string_view key) const;
  void record(int cf, std::string_view key, change c);

  rocksdb_instance::impl& d_;
  std::vector<key_group_range> ranges_;
  std::string dir_;
  rocksdb::Options writer_options_;
  /// The states at the start (column family index -> state and handle; index 0 unused).
  std::vector<std::pair<std::string, rocksdb::ColumnFamilyHandle*>> states_;
  const rocksdb::Snapshot* snapshot_ = nullptr;
  /// Per range, the files written so far and their states, in the order they are ingested.
  std::vector<std::vector<std::pair<std::string, std::string>>> files_;
  std::map<std::pair<int, std::string>, change> changes_;
  std::size_t change_bytes_ = 0;
  std::string failure_; ///< why the moves are dropped (finish throws it); empty: they are not
  int rounds_ = 0;       ///< write_changes calls so far
  std::atomic<bool> snapshot_written_{false}; ///< the snapshot's files and the flush are done
  std::shared_future<void> prepared_;
};

} // namespace sluice
