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

/// True for an address only this host can reach: localhost, 127.0.0.0/8, ::1.
bool is_loopback(const std::string& host);

/// Mutual TLS for every connection of the cluster (--tls-cert, --tls-key, --tls-ca): PEM files,
/// all three or none. Peers must present a certificate signed by the CA.
struct tls_files {
  std::string cert; ///< this process's certificate (chain)
  std::string key;  ///< its private key (unencrypted)
  std::string ca;   ///< the CA that signs every peer's certificate

  bool enabled() const { return !cert.empty(); }
  /// Throws config_error naming the missing flag unless all three or none are given.
  void validate() const;
};

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
  tls_files tls;
  /// --insecure: a job or task manager may listen beyond loopback without TLS.
  bool insecure = false;

  process_role role() const;
  /// Throws config_error naming the flags that contradict each other, or the bind flag that
  /// listens beyond loopback without TLS and without --insecure.
  void validate() const;
};

} // namespace sluice
