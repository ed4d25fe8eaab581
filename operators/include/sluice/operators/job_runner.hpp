#pragma once
// How execute() reaches the runtime without operators/ depending on it: the runtime (actors/)
// installs a job_runner; the umbrella header <sluice/sluice.hpp> does that for job programs.

#include "sluice/operators/execution_plan.hpp"
#include "sluice/operators/job_result.hpp"

#include <memory>
#include <string>
#include <vector>

namespace sluice {

/// A running job.
class job_client {
public:
  virtual ~job_client() = default;
  /// Blocks until the job ends; returns its result (the same on every call).
  virtual job_result wait() = 0;
  /// Asks the job to stop; wait() then returns a result whose error says it was cancelled.
  virtual void cancel() = 0;
  /// The subtasks' counters now.
  virtual std::vector<subtask_metrics> metrics() const = 0;
};

/// Starts jobs.
class job_runner {
public:
  virtual ~job_runner() = default;
  virtual std::unique_ptr<job_client> start(std::shared_ptr<const execution_plan> plan,
                                            const job_config& config,
                                            const std::string& job_name) = 0;
};

/// Installs the runner execute() uses (the runtime calls this; the last call wins).
void set_job_runner(std::shared_ptr<job_runner> runner);
std::shared_ptr<job_runner> get_job_runner();

} // namespace sluice
