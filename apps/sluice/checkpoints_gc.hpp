#pragma once
// `sluice checkpoints gc DIR`: offline, what a job's start does to its checkpoint directory
// (checkpoint_storage::discard_incomplete and sweep_shared): chk-N directories without
// `_metadata` and shared state files no completed checkpoint references are removed. DIR is a
// job's directory (`<checkpoint-dir>/<job-id>`, holding chk-N or shared/) or a checkpoint dir
// holding such directories. Only while the jobs are not running: a running job's pending
// checkpoint looks like one a crash left.

#include <nlohmann/json.hpp>

#include <string>

namespace sluice::cli {

/// What gc removed.
struct gc_result {
  std::string text;   ///< a line per job
  nlohmann::json json; ///< {"jobs": [{"job_dir", "incomplete_checkpoints", "shared_files"}]}
};

/// Runs gc over DIR; throws std::runtime_error naming DIR when it does not exist or holds no
/// job's checkpoints, or a `_metadata` that cannot be read (nothing of that job removed).
gc_result checkpoints_gc(const std::string& dir);

} // namespace sluice::cli
