#pragma once
// What every kind of process's job_client shares: the state directory, the actor system, the
// job's status, and the actor that ends the process's part of the job on cancel().

#include "job_directories.hpp"
#include "job_status.hpp"
#include "rest/rest_api.hpp"
#include "runtime_config.hpp"

#include "sluice/actors/messages.hpp"
#include "sluice/operators/api/job_runner.hpp"

#include <memory>

namespace sluice {

/// CAF keeps a reference to the actor system's logger in a thread-local of every thread that
/// constructs the system, spawns on it or makes a scoped_actor, and the system's destructor
/// waits until the logger is gone: destroyed on another thread (a job waited for on another
/// thread than the one that started it), it would wait for ever. The calling thread lets go of
/// its reference; call it after such calls on threads that are not the system's own.
void release_thread_logger();

class process_job_client : public job_client {
public:
  ~process_job_client() override;

  /// Waits for the result, then shuts the actor system down.
  job_result wait() override;
  /// Sends cancel_job_atom to the main actor.
  void cancel() override;
  /// The process's own subtasks' counters, and on a job manager those its task managers
  /// reported last.
  std::vector<subtask_metrics> metrics() const override;
  std::vector<checkpoint_stats> completed_checkpoints() const override {
    return status_->completed_checkpoints();
  }
  /// Sends savepoint_request_msg to the main actor (the job manager) and waits for the
  /// savepoint, at most the checkpoint timeout plus a margin.
  std::string trigger_savepoint(const std::string& dir) override;
  std::string stop_with_savepoint(const std::string& dir, bool drain) override;
  std::string rescale(int parallelism, const std::string& vertex) override;

protected:
  process_job_client(const job_config& config, bool networked);

  caf::actor_system& system() { return *system_; }

  /// Serves the REST API of the job manager main_ on --rest-bind (unless off) and prints
  /// "REST API listening on http://HOST:PORT" on stderr. If it cannot listen: with --rest-bind
  /// given, ends the job and throws config_error naming the flag; on the default address (in
  /// use by another job), warns and goes on without.
  void start_rest_api(const job_config& config);
  /// A task manager with --metrics-bind: serves `GET /metrics` with its own subtasks' counters
  /// and its process's resources (`tm_config`: its task manager's configuration, with the
  /// shared RocksDB resources); `name` is its task manager name. Throws config_error.
  void start_metrics_endpoint(const job_config& config, std::shared_ptr<const job_config> tm_config,
                              std::shared_ptr<const execution_plan> plan,
                              const std::string& job_name, const std::string& name);

private:
  /// Asks the job manager `msg` (a savepoint or rescale: `what`, for the errors) and waits
  /// up to `timeout` for its reply; throws checkpoint_error with its error.
  template <class Message>
  std::string ask_job_manager(const Message& msg, const char* what,
                              std::chrono::milliseconds timeout);

  /// Stops the HTTP servers (before the actor system goes).
  void stop_http();

  // Declared first: removed after the actor system (and with it every backend) is gone.
  job_directories directories_;
  runtime_config caf_config_;
  std::unique_ptr<caf::actor_system> system_;
  std::unique_ptr<rest::rest_api> rest_;
  std::unique_ptr<rest::http_endpoint> metrics_endpoint_;
  std::chrono::milliseconds savepoint_timeout_;
  bool networked_;

protected:
  std::shared_ptr<job_status> status_ = std::make_shared<job_status>();
  /// The job manager, or a task manager process's task manager.
  caf::actor main_;
};

} // namespace sluice
