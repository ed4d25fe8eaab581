#pragma once
// Local copies of a subtask's keyed snapshots (local recovery): the files a snapshot put into
// the checkpoint directory, kept again under the task manager's state dir, so that a restart
// on the same task manager restores from them instead of the checkpoint directory. A RocksDB
// snapshot of either form becomes one full RocksDB checkpoint directory (SST files hard-linked,
// copied across file systems), which restores without reading the shared files for their
// checksums; key-group files are copied.

#include "sluice/state/state_handle.hpp"

#include <string>

namespace sluice {

/// A local copy and the snapshot it copies, as the checkpoint metadata records it.
struct local_keyed_copy {
  keyed_state_handle local;
  keyed_state_handle checkpointed;
};

/// Copies the files of `checkpointed` into the existing directory `dir` and returns the handle
/// of the copy (a rocksdb_checkpoint part for either RocksDB form). Throws state_error naming
/// the operator subtask `owner` and a file that cannot be copied.
keyed_state_handle copy_keyed_state(const std::string& owner,
                                    const keyed_state_handle& checkpointed,
                                    const std::string& dir);

/// Whether `a` and `b` describe the same snapshot: the same backend, key groups and parts (kind,
/// key groups, sizes, file names; shared files' names, sizes and CRC-32s). Directories may
/// differ (a checkpoint directory moved, or spelled another way).
bool same_snapshot(const keyed_state_handle& a, const keyed_state_handle& b);

/// Why the copy `local` cannot be restored (empty: it can): a file or directory missing, or of
/// another size than its part records.
std::string local_copy_problem(const keyed_state_handle& local);

} // namespace sluice
