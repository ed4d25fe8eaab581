#pragma once
// The job manager's REST API (Flink's paths and field names; docs/observability.md): every GET
// asks the job manager actor for its state document (job_reports.hpp) with a bounded timeout,
// on the HTTP server's threads, so a slow client never blocks an actor; savepoints and stops
// run asynchronously behind a trigger id; `GET /metrics` is the Prometheus exposition.

#include "http_endpoint.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <memory>

namespace sluice::rest {

class rest_api {
public:
  /// `savepoint_timeout`: how long a savepoint or stop may take before it is reported failed.
  rest_api(caf::actor_system& system, caf::actor job_manager,
           std::chrono::milliseconds savepoint_timeout);
  ~rest_api();

  /// Listens on `bind` (port 0: a free one), HTTPS with `tls` enabled, and returns the port;
  /// throws std::runtime_error saying why it cannot.
  std::uint16_t start(const host_port& bind, const tls_files& tls);
  /// Stops serving (before the actor system goes).
  void stop();

  /// How long a request waits for the job manager's answer.
  static constexpr std::chrono::milliseconds state_timeout{2000};

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace sluice::rest
