#pragma once
// The REST API's answers, shaped as Flink's REST API (paths and field names), made from the job
// manager's state document (job_reports.hpp). Pure functions: tested without a server.

#include "http_endpoint.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace sluice::rest {

using nlohmann::json;

/// Throws http_error 404 unless `id` is the document's job id or name.
void check_job(const json& doc, const std::string& id);

json overview(const json& doc);
/// `GET /jobs`: {"jobs":[{"id","status"}]}.
json jobs(const json& doc);
/// `GET /jobs/overview`: one entry per job with its name, times and task counts.
json jobs_overview(const json& doc);
json job(const json& doc);
/// `GET /jobs/{id}/plan`: {"plan":{"jid","name","nodes":[{"id","parallelism","description",
/// "operator","inputs":[{"num","id","ship_strategy"}],"operators":[...]}]}}.
json plan(const json& doc);
/// Throws http_error 404 for a vertex the job does not have.
json vertex(const json& doc, const std::string& vid);
json backpressure(const json& doc, const std::string& vid);
/// Flink's shape: [{"id":"<subtask>.currentInputWatermark","value":"<ms>"}, ...].
json watermarks(const json& doc, const std::string& vid);
json checkpoints(const json& doc);
json exceptions(const json& doc);
/// `GET /jobs/{id}/metrics[?get=a,b]`: without `get` the names; with it their values. Throws
/// http_error 400 naming a metric the job does not have.
json job_metrics(const json& doc, const std::optional<std::string>& get);
json task_managers(const json& doc);
/// Throws http_error 404 for a task manager the job manager does not know.
json task_manager(const json& doc, const std::string& tmid);

} // namespace sluice::rest
