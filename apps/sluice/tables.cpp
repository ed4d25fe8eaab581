#include "tables.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace sluice::cli {

namespace {

using row = std::vector<std::string>;

std::string percent(double share) {
  char text[16];
  std::snprintf(text, sizeof text, "%.1f%%", share * 100);
  return text;
}

} // namespace

std::string aligned(const std::vector<row>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& r : rows) {
    widths.resize(std::max(widths.size(), r.size()));
    for (std::size_t i = 0; i < r.size(); ++i)
      widths[i] = std::max(widths[i], r[i].size());
  }
  std::ostringstream out;
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      out << r[i];
      if (i + 1 < r.size())
        out << std::string(widths[i] - r[i].size() + 2, ' ');
    }
    out << '\n';
  }
  return out.str();
}

std::string format_duration(std::int64_t ms) {
  char text[32];
  const auto s = ms / 1000;
  if (s < 60)
    std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(ms) / 1000);
  else if (s < 3600)
    std::snprintf(text, sizeof text, "%lldm %02llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  else
    std::snprintf(text, sizeof text, "%lldh %02lldm %02llds", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return text;
}

std::string jobs_table(const std::vector<job_overview>& jobs) {
  std::vector<row> rows{{"ID", "STATE", "UPTIME", "NAME"}};
  for (const auto& j : jobs)
    rows.push_back({j.id, j.state, format_duration(j.uptime_ms), j.name});
  return aligned(rows);
}

std::string job_table(const job_details& job) {
  std::ostringstream out;
  out << "job " << job.job.id << " (" << job.job.name << "): " << job.job.state << ", up "
      << format_duration(job.job.uptime_ms) << ", latest checkpoint "
      << (job.latest_checkpoint > 0 ? std::to_string(job.latest_checkpoint) : "none") << "\n";
  std::vector<row> rows{{"SUBTASK", "TASK_MANAGER", "SLOT", "RECORDS_IN", "RECORDS_OUT",
                         "BACKPRESSURED_MS", "BACKPRESSURED", "FINISHED", "VERTEX"}};
  for (const auto& s : job.subtasks) {
    const auto known = [&](std::string value) { return s.reported ? value : "-"; };
    rows.push_back({std::to_string(s.subtask + 1) + "/" + std::to_string(s.parallelism),
                    s.task_manager.empty() ? "-" : s.task_manager,
                    s.task_manager.empty() ? "-" : std::to_string(s.slot),
                    known(std::to_string(s.records_in)), known(std::to_string(s.records_out)),
                    known(std::to_string(s.backpressured_ms)),
                    known(percent(backpressured_share(job, s))),
                    known(s.finished ? "yes" : "no"), s.vertex});
  }
  return out.str() + aligned(rows);
}

std::string task_managers_table(const std::vector<task_manager_info>& task_managers) {
  std::vector<row> rows{{"NAME", "PEER_ADDRESS", "SLOTS", "SLOTS_USED", "READY"}};
  for (const auto& tm : task_managers)
    rows.push_back({tm.name, tm.peer_address.empty() ? "-" : tm.peer_address,
                    std::to_string(tm.slots), std::to_string(tm.slots_used),
                    tm.ready ? "yes" : "no"});
  return aligned(rows);
}

} // namespace sluice::cli
