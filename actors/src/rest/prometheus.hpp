#pragma once
// The job manager's state document (job_reports.hpp) in Prometheus' text exposition format
// (version 0.0.4): every metric with labels job, vertex, operator, subtask and task_manager as
// they apply; counters end in `_total`. Names and meanings: docs/observability.md.

#include <nlohmann/json.hpp>

#include <string>

namespace sluice::rest {

/// The Content-Type of the exposition.
inline constexpr const char* prometheus_content_type = "text/plain; version=0.0.4; charset=utf-8";

/// The exposition of a job manager's state document; of a task manager's (no "state": its
/// subtasks and itself only).
std::string prometheus_text(const nlohmann::json& doc);

/// A label value escaped for the exposition (backslash, double quote, newline).
std::string escape_label(const std::string& value);

} // namespace sluice::rest
