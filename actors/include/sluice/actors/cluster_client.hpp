#pragma once
// A client of a job manager process, as the `sluice` tool uses it: connects over CAF's
// middleman and asks for the job, its subtasks, the task managers, cancels, takes savepoints.
// The connection and every request wait at most the timeout given (a dead peer never answers).

#include "sluice/actors/query_messages.hpp"
#include "sluice/operators/api/cluster_config.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice {

/// Nothing listens there, the connection failed, or the job manager did not answer in time.
class cluster_unreachable : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// The job manager refused or failed the request (unknown job, the savepoint failed, ...).
class cluster_request_failed : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class cluster_client {
public:
  /// Connects to the job manager at `address` (with mutual TLS if `tls` is enabled); throws
  /// cluster_unreachable, or config_error for a bad TLS file.
  cluster_client(const host_port& address, std::chrono::milliseconds timeout,
                 const tls_files& tls = {});
  ~cluster_client();

  std::vector<job_overview> list_jobs();
  /// The job (its id or name) with every subtask: where it runs and its counters.
  job_details job(const std::string& job);
  std::vector<task_manager_info> task_managers();
  /// The job manager's state document of the job (what its REST API answers from: every
  /// subtask's latest metrics and rates, the checkpoints; docs/observability.md). Throws
  /// cluster_request_failed if the job manager runs another job. Waits at most `timeout` (a
  /// job manager whose process exited may leave a request unanswered until then).
  nlohmann::json job_document(const std::string& job, std::chrono::milliseconds timeout);
  /// Cancels the job; returns its id.
  std::string cancel(const std::string& job);
  /// Takes a savepoint under `dir` (empty: the job's --savepoint-dir); returns its directory.
  std::string savepoint(const std::string& job, const std::string& dir);
  /// Stops the job with a savepoint (see savepoint); `drain`: emit the maximum watermark first.
  std::string stop(const std::string& job, const std::string& dir, bool drain);
  /// Rescales the job (rescale_request_msg): every operator whose parallelism the job program
  /// did not set, or those chained with the operator of uid `vertex`, run at `parallelism`;
  /// returns what changed once the new subtasks run.
  std::string rescale(const std::string& job, int parallelism, const std::string& vertex);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// The share (0..1) of the job's uptime subtask `s` spent backpressured.
double backpressured_share(const job_details& job, const subtask_status& s);

} // namespace sluice
