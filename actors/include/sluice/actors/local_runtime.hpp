#pragma once
// The runtime execute() uses: by default the embedded local cluster (a job manager and one task
// manager in this process); with --jobmanager-bind or --taskmanager, this process's part of a
// cluster of processes (a job manager or a task manager).

#include "sluice/operators/job_runner.hpp"

#include <memory>

namespace sluice {

/// Runs jobs on an embedded local cluster, or as a cluster process; one actor system per job.
class local_runtime final : public job_runner {
public:
  std::unique_ptr<job_client> start(std::shared_ptr<const execution_plan> plan,
                                    const job_config& config,
                                    const std::string& job_name) override;
};

/// Installs local_runtime as the runner of execute() (once per process).
bool install_local_runtime();

} // namespace sluice
