#pragma once
// The directories of one job run, checked at job start so that an unusable one fails the job
// before any subtask starts: --state-dir (created; removed at the end if it is the default
// directory and this run created it — RocksDB instances live in subdirectories of it and remove
// their own, so what is left is the empty default directory) and --checkpoint-dir (created,
// and a file written and removed in it); the local copies of this process's subtasks, with
// --local-recovery, and the hand-off copies of its subtasks a rescale replaced (removed at the
// end).

#include "sluice/operators/api/job_config.hpp"

#include <string>
#include <vector>

namespace sluice {

class job_directories {
public:
  /// Prepares config.state.state_dir if the backend keeps files (rocksdb, local recovery, or a
  /// checkpoint directory, whose jobs can be rescaled) and
  /// config.checkpointing.checkpoint_dir if set; throws config_error naming the flag and the
  /// path if one cannot be created or written.
  explicit job_directories(const job_config& config);
  ~job_directories();
  job_directories(const job_directories&) = delete;
  job_directories& operator=(const job_directories&) = delete;

private:
  std::string owned_state_dir_; ///< the directory to remove at the end; empty: none
  std::vector<std::string> copies_dirs_; ///< local_snapshot_store::root of each purpose in use
};

} // namespace sluice
