#pragma once
// The job manager's side of metrics: the periodic reports of the task managers, kept in its
// job_metrics_view (job_metrics.hpp), and its whole state as one JSON document, which the REST
// API (rest/) answers from.

#include "job_metrics.hpp"
#include "job_view.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace sluice {

/// One subtask's counters and watermarks (no rates), with the names of the state document.
nlohmann::json subtask_counters_json(const subtask_metrics& m);

/// A task manager's process metrics from its report (no rates), with the names of the state
/// document: rssBytes, cpuTimeMs, bufferPool*, and with RocksDB rocksdbBlockCacheUsageBytes and
/// rocksdbMemTablesBytes.
nlohmann::json task_manager_metrics_json(const task_manager_report& r);

/// With --metrics-interval-ms > 0: asks every ready task manager of `view` for its report now,
/// keeps it in `metrics` (the view's), and arms the next round one interval later.
void on_metrics_tick(caf::event_based_actor& self, const job_view& view,
                     job_metrics_view& metrics);

/// The job, its plan, every subtask's latest metrics and rates, the task managers, the
/// checkpoints and the failures, as JSON (fields: docs/observability.md, "The state document").
std::string job_state_document(const job_view& view);

} // namespace sluice
