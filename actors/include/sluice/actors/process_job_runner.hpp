#pragma once
// The job_runner execute() uses: it runs the job in this process's role, by default the embedded
// local cluster (a job manager and one task manager in this process); with --jobmanager-bind or
// --taskmanager, this process's part of a cluster of processes (a job manager or a task manager).

#include "sluice/operators/api/job_runner.hpp"

#include <memory>

namespace sluice {

/// Runs jobs on an embedded local cluster, or as a cluster process; one actor system per job.
class process_job_runner final : public job_runner {
public:
  std::unique_ptr<job_client> start(std::shared_ptr<const execution_plan> plan,
                                    const job_config& config,
                                    const std::string& job_name) override;
};

/// Installs process_job_runner as the runner of execute() (once per process).
bool install_process_job_runner();

} // namespace sluice
