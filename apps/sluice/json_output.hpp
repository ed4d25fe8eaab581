#pragma once
// The `sluice` tool's output for scripts (--json): one JSON object per command.

#include "sluice/actors/cluster_client.hpp"

#include <nlohmann/json.hpp>

#include <vector>

namespace sluice::cli {

/// {"jobs": [{"id", "name", "state", "uptime_ms"}]}
nlohmann::json jobs_json(const std::vector<job_overview>& jobs);
/// {"id", "name", "state", "uptime_ms", "latest_checkpoint" (null: none), "subtasks": [{"vertex",
/// "vertex_id", "subtask", "parallelism", "task_manager", "slot", "records_in", "records_out",
/// "backpressured_ms", "backpressured_share", "finished"}]}; counters null if not reported.
nlohmann::json job_json(const job_details& job);
/// {"taskmanagers": [{"name", "peer_address", "slots", "slots_used", "ready"}]}
nlohmann::json task_managers_json(const std::vector<task_manager_info>& task_managers);

} // namespace sluice::cli
