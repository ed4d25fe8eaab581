#pragma once
// What every kind of process's job_client shares: the state directory, the actor system, the
// job's status, and the actor that ends the process's part of the job on cancel().

#include "job_status.hpp"
#include "runtime_config.hpp"
#include "state_directory.hpp"

#include "sluice/operators/job_runner.hpp"

#include <memory>

namespace sluice {

class process_job_client : public job_client {
public:
  ~process_job_client() override;

  /// Waits for the result, then shuts the actor system down.
  job_result wait() override;
  /// Sends cancel_job_atom to the main actor.
  void cancel() override;
  std::vector<subtask_metrics> metrics() const override { return status_->metrics(); }

protected:
  process_job_client(const job_config& config, bool networked);

  caf::actor_system& system() { return *system_; }

private:
  // Declared first: removed after the actor system (and with it every backend) is gone.
  state_directory state_dir_;
  runtime_config caf_config_;
  std::unique_ptr<caf::actor_system> system_;

protected:
  std::shared_ptr<job_status> status_ = std::make_shared<job_status>();
  /// The job manager, or a task manager process's task manager.
  caf::actor main_;
};

} // namespace sluice
