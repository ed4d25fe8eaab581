#pragma once
// CAF's configuration for a Sluice process: every message registered under the same name, the
// scheduler sized to the cores, and for cluster processes the middleman with heartbeats.

#include "sluice/operators/api/job_config.hpp"

#include <caf/all.hpp>

#include <memory>

namespace sluice {

class runtime_config : public caf::actor_system_config {
public:
  /// `networked`: loads the middleman; peers silent for --heartbeat-timeout-ms are lost; with
  /// --tls-* CAF's OpenSSL module too (throws config_error for a bad TLS file).
  runtime_config(const job_config& config, bool networked);
};

/// The configuration a task manager's subtasks run with: the job's, plus the RocksDB memory
/// they all share.
std::shared_ptr<const job_config> task_manager_config(const job_config& config);

} // namespace sluice
