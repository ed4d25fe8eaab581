#pragma once
// The `sluice` tool's human-readable output: aligned tables, one line per job, subtask or task
// manager; multi-word values (vertex names) in the last column. (watch.cpp's screens use aligned.)

#include "sluice/actors/cluster_client.hpp"

#include <string>
#include <vector>

namespace sluice::cli {

std::string jobs_table(const std::vector<job_overview>& jobs);
/// A line about the job (state, uptime, latest checkpoint), then its subtasks.
std::string job_table(const job_details& job);
std::string task_managers_table(const std::vector<task_manager_info>& task_managers);

/// Columns padded to their widest cell, two spaces apart; the last one unpadded.
std::string aligned(const std::vector<std::vector<std::string>>& rows);

/// "12.3 s", "4m 05s", "2h 03m 04s".
std::string format_duration(std::int64_t ms);

} // namespace sluice::cli
