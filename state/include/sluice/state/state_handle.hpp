#pragma once
// What a snapshot wrote, as the checkpoint metadata records it: per key-group range the files
// (or RocksDB checkpoint directories) that hold those key groups, and for operator state the
// file of one subtask. Restore reads handles written at any parallelism.

#include "sluice/state/key_group.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace sluice {

/// One piece of a keyed snapshot.
struct keyed_state_part {
  enum class format {
    heap_key_groups,    ///< a file of serialized entries per key group (key_group_file.hpp)
    rocksdb_checkpoint  ///< a RocksDB checkpoint directory (hard-linked SST files)
  };
  format kind = format::heap_key_groups;
  std::string path;
  key_group_range range;     ///< the key groups it holds
  std::uint64_t size_bytes = 0;
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
};

/// The operator (non-keyed) state of one operator subtask at one checkpoint.
struct operator_state_handle {
  std::string path; ///< empty: the subtask had no operator state
  int subtask_index = 0;
  std::uint64_t size_bytes = 0;
};

} // namespace sluice
