#pragma once
// A read-only view of the job manager's state: what its queries (job_queries.hpp) and its
// state document (job_reports.hpp) read.

#include "job_context.hpp"
#include "job_metrics.hpp"

#include "sluice/checkpoint/checkpoint_coordinator_core.hpp"

#include <cstdint>
#include <vector>

namespace sluice {

/// The job's checkpoints and savepoints as the job manager's checkpointer sees them.
struct checkpoints_view {
  const checkpoint_coordinator_core* core = nullptr; ///< null: checkpointing never started
  bool stopping = false;  ///< a stop with savepoint is waiting, running or completed
  bool finishing = false; ///< the final checkpoint is in progress
  std::int64_t completed = 0; ///< checkpoints and savepoints
  std::int64_t failed = 0;
};

struct job_view {
  const job_manager_setup& setup;
  const job_deployment& deployment;
  const std::vector<task_manager_entry>& task_managers;
  const job_metrics_view& metrics;
  checkpoints_view checkpoints;
};

} // namespace sluice
