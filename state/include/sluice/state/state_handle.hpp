#pragma once
// What a snapshot wrote, as the checkpoint metadata records it: per key-group range the files
// (or RocksDB checkpoint directories) that hold those key groups, and for operator state the
// file of one subtask. Restore reads handles written at any parallelism. An incremental snapshot
// lists the files it shares with other checkpoints of the job (under
// `<checkpoint-dir>/<job-id>/shared/`: RocksDB's SST files, or the heap's key-group files) beside
// its private files.

#include "sluice/state/key_group.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace sluice {

/// A file that incremental checkpoints share, uploaded once by the backend that wrote it.
struct shared_state_file {
  /// rocksdb_incremental: its name in the RocksDB directory, e.g. "000012.sst";
  /// heap_incremental: the key group it holds, in decimal, e.g. "17".
  std::string local_name;
  std::string path;       ///< where it is stored (under the job's shared/ directory)
  std::uint64_t size_bytes = 0;
  std::uint32_t crc32 = 0; ///< CRC-32 of its bytes (checked_file.hpp's crc32)
};

/// One piece of a keyed snapshot.
struct keyed_state_part {
  enum class format {
    heap_key_groups,    ///< a file of serialized entries per key group (key_group_file.hpp)
    rocksdb_checkpoint, ///< a RocksDB checkpoint directory (hard-linked SST files)
    /// A RocksDB checkpoint whose SST files are `shared`; `path` holds the rest (MANIFEST,
    /// CURRENT, OPTIONS), private to this checkpoint.
    rocksdb_incremental,
    /// Per key group a key-group file of the blocks of the states and of the participants
    /// that track their changes, `shared`; `path` is a key-group file of the other
    /// participants' blocks (and of sections restored elsewhere than from a shared file and
    /// not registered since), private to this checkpoint.
    heap_incremental
  };
  /// Whether parts of this format list shared files.
  static bool is_incremental(format f) {
    return f == format::rocksdb_incremental || f == format::heap_incremental;
  }
  format kind = format::heap_key_groups;
  std::string path;
  key_group_range range;     ///< the key groups it holds
  std::uint64_t size_bytes = 0; ///< the whole state: its files and the shared files it lists
  std::vector<shared_state_file> shared{}; ///< incremental formats only, by local name
  /// Bytes of `shared` an earlier snapshot uploaded (this one did not write them).
  std::uint64_t reused_bytes = 0;

  /// The bytes of the files in `shared`.
  std::uint64_t shared_bytes() const {
    std::uint64_t n = 0;
    for (const auto& f : shared)
      n += f.size_bytes;
    return n;
  }
};

/// The keyed state of one operator subtask at one checkpoint.
struct keyed_state_handle {
  std::string backend;   ///< "heap" or "rocksdb"
  key_group_range range; ///< the key groups the subtask owned
  std::vector<keyed_state_part> parts;

  std::uint64_t size_bytes() const {
    std::uint64_t n = 0;
    for (auto& p : parts)
      n += p.size_bytes;
    return n;
  }
  /// Bytes the snapshot wrote: size_bytes() less the shared files uploaded before.
  std::uint64_t written_bytes() const {
    std::uint64_t n = 0;
    for (auto& p : parts)
      n += p.size_bytes - p.reused_bytes;
    return n;
  }
};

/// Whether `a` and `b` hold the same backend, key groups and parts (kind, key groups, sizes,
/// shared files' names, sizes and CRC-32s), with paths alike as `same_path` says.
bool same_keyed_state(const keyed_state_handle& a, const keyed_state_handle& b,
                      bool (*same_path)(const std::string&, const std::string&));

/// The operator (non-keyed) state of one operator subtask at one checkpoint.
struct operator_state_handle {
  std::string path; ///< empty: the subtask had no operator state
  int subtask_index = 0;
  std::uint64_t size_bytes = 0;
};

} // namespace sluice
