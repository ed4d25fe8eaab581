#pragma once
// A job program's process in a cluster (application mode: every process runs the same binary
// with the same arguments and builds the same plan).

#include "sluice/operators/api/job_runner.hpp"

#include <memory>

namespace sluice {

/// The job manager: listens on --jobmanager-bind, waits for --taskmanagers task managers,
/// deploys onto their slots, coordinates; its result is the job's.
std::unique_ptr<job_client> start_job_manager_process(std::shared_ptr<const execution_plan> plan,
                                                      const job_config& config,
                                                      const std::string& job_name);

/// A task manager: reaches the job manager at --jobmanager (retrying until
/// --registration-timeout-ms), registers --slots slots and runs what is deployed into them until
/// the job manager tells it to stop (success) or goes away (failure).
std::unique_ptr<job_client> start_task_manager_process(std::shared_ptr<const execution_plan> plan,
                                                       const job_config& config,
                                                       const std::string& job_name);

} // namespace sluice
