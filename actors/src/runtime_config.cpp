#include "runtime_config.hpp"

#include "tls_transport.hpp"

#include "sluice/actors/messages.hpp"

#include <caf/io/all.hpp>

#include <algorithm>
#include <thread>

namespace sluice {

runtime_config::runtime_config(const job_config& config, bool networked) {
  register_messages(*this);
  auto cores = std::max(1u, std::thread::hardware_concurrency());
  set("scheduler.max-threads", static_cast<std::size_t>(cores));
  set("scheduler.max-throughput", static_cast<std::size_t>(64));
  // The scheduler's threads run the job and task managers, which only handle control messages;
  // subtasks have threads of their own. An idle scheduler thread waits on its condition
  // variable (woken by new work) instead of polling for 25 ms or more after every message
  // (CAF's default: 500 sleeps of 50 us), which takes CPU from the subtasks: with a checkpoint
  // timer and a few messages per checkpoint, several percent of a job's throughput.
  set("work-stealing.moderate-poll-attempts", static_cast<std::size_t>(0));
  if (!networked)
    return;
  load<caf::io::middleman>();
  // The broker deserializes incoming messages itself rather than handing each one to a worker
  // actor: one thread hop less per batch and per credit. bench_cluster: 0.51-0.53 of the
  // in-process throughput with one worker, 0.63-0.78 without.
  set("middleman.workers", std::size_t{0});
  // Every node sends heartbeats; a connection silent for the timeout is closed, and the
  // monitors of the actors behind it get down messages.
  const auto timeout = std::chrono::milliseconds(config.cluster.heartbeat_timeout_ms);
  set("middleman.heartbeat-interval", caf::timespan{std::max(timeout / 10, std::chrono::milliseconds(5))});
  set("middleman.connection-timeout", caf::timespan{timeout});
  if (config.cluster.tls.enabled())
    enable_tls(*this, config.cluster.tls);
}

std::shared_ptr<const job_config> task_manager_config(const job_config& config) {
  auto c = std::make_shared<job_config>(config);
  if (c->state.kind == state_backend_kind::rocksdb && !c->state.rocksdb_resources)
    c->state.rocksdb_resources = make_rocksdb_shared_resources(c->state.memory_mb, c->state.compaction);
  return c;
}

} // namespace sluice
