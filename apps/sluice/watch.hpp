#pragma once
// `sluice status JOB --watch`: the job's vertices refreshed like top (records and records per
// second, busy and backpressured time, watermark lag) and its latest checkpoint, from the job
// manager's state document (cluster_client::job_document).

#include "sluice/actors/cluster_client.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <ostream>

namespace sluice::cli {

/// One refresh of the job in `doc` (a state document) for scripts: {"job", "name", "state",
/// "uptime_ms", "restarts", "metrics" (false: the job runs with --metrics-interval-ms 0),
/// "latest_checkpoint": {"id", "duration_ms", "state_size", "completed_at"} or null,
/// "vertices": [{"id", "name", "parallelism", "records_in", "records_out", "records_in_per_s",
/// "records_out_per_s", "busy", "backpressured", "watermark_lag_ms" (null: no watermark),
/// "status"}]}. busy and backpressured are the highest share of time of the vertex's subtasks.
/// With metrics off every vertex metric is null (nothing is collected), not zero.
nlohmann::json watch_json(const nlohmann::json& doc);

/// The same as a screen for people: a line about the job (and one saying metrics are off, if
/// they are), then a table of its vertices ("-" where a metric is null).
std::string watch_text(const nlohmann::json& frame);

/// How `sluice status JOB --watch` refreshes.
struct watch_options {
  host_port job_manager;                    ///< --jobmanager
  std::chrono::milliseconds timeout{60000}; ///< --timeout-ms
  std::chrono::milliseconds interval{1000}; ///< --interval-ms
  long count = 0;                           ///< --count: refreshes, then exit; 0: until it ends
  bool json = false;                        ///< one JSON object per line instead of screens
  tls_files tls;                            ///< --tls-cert/--tls-key/--tls-ca
};

/// Prints a refresh of the job every interval until the job ends (its state is FINISHED or
/// its job manager has gone: the job manager process exits when its job ends) or `count`
/// refreshes were printed. Each request waits at most max(2 s, 2 intervals) (at most the
/// timeout); one unanswered in that time is followed by a new connection: refused, the job
/// manager has gone; made, the watch goes on. On a terminal (and without json) each refresh
/// clears the screen first, like top. Returns the exit code: 0. Throws cluster_unreachable if the first request
/// fails, cluster_request_failed if the job is unknown.
int watch_job(cluster_client& client, const std::string& job, const watch_options& options,
              std::ostream& out);

} // namespace sluice::cli
