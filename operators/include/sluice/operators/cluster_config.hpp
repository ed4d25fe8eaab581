#pragma once
// The role of a job program's process (local, job manager, task manager) and the cluster flags.

#include <cstdint>
#include <string>

namespace sluice {

/// A network endpoint given as HOST:PORT.
struct host_port {
  std::string host;
  std::uint16_t port = 0;

  std::string to_string() const { return host + ":" + std::to_string(port); }
};

/// Parses HOST:PORT (PORT in [min_port, 65535]); throws config_error naming `flag`.
host_port parse_host_port(const std::string& flag, const std::string& text, int min_port);

enum class process_role {
  local,        ///< the embedded cluster (default)
  job_manager,  ///< --jobmanager-bind HOST:PORT
  task_manager, ///< --taskmanager --jobmanager HOST:PORT
};

struct cluster_config {
  host_port job_manager_bind;  ///< --jobmanager-bind: where this job manager listens
  host_port job_manager;       ///< --jobmanager: the job manager a task manager registers with
  int task_managers = 0;       ///< --taskmanagers (job manager); 0: not given, 1
  bool task_manager = false;   ///< --taskmanager
  std::string task_manager_bind = "127.0.0.1"; ///< --taskmanager-bind: where peers connect
  std::int64_t heartbeat_timeout_ms = 5000;
  /// How long a job manager waits for task managers' slots (at start and after losing one),
  /// and how long a task manager tries to reach its job manager.
  std::int64_t registration_timeout_ms = 60000;
  /// --rest-bind: where the REST API listens (job manager, local job); host "" when `off`.
  host_port rest_bind{"127.0.0.1", 8081};
  bool rest_bind_given = false; ///< given on the command line: failing to listen is an error
  /// --metrics-bind: where a task manager serves its own /metrics; host "": not served.
  host_port metrics_bind;

  process_role role() const;
  /// Throws config_error naming the flags that contradict each other.
  void validate() const;
};

} // namespace sluice
