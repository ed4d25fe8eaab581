#include "json_output.hpp"

namespace sluice::cli {

namespace {

nlohmann::json overview_json(const job_overview& j) {
  return {{"id", j.id}, {"name", j.name}, {"state", j.state}, {"uptime_ms", j.uptime_ms}};
}

nlohmann::json subtask_json(const job_details& job, const subtask_status& s) {
  nlohmann::json out = {{"vertex", s.vertex},
                        {"vertex_id", s.vertex_id},
                        {"subtask", s.subtask},
                        {"parallelism", s.parallelism},
                        {"task_manager", s.task_manager},
                        {"slot", s.slot},
                        {"records_in", nullptr},
                        {"records_out", nullptr},
                        {"backpressured_ms", nullptr},
                        {"backpressured_share", nullptr},
                        {"finished", nullptr}};
  if (s.reported) {
    out["records_in"] = s.records_in;
    out["records_out"] = s.records_out;
    out["backpressured_ms"] = s.backpressured_ms;
    out["backpressured_share"] = backpressured_share(job, s);
    out["finished"] = s.finished;
  }
  return out;
}

} // namespace

nlohmann::json jobs_json(const std::vector<job_overview>& jobs) {
  auto list = nlohmann::json::array();
  for (const auto& j : jobs)
    list.push_back(overview_json(j));
  return {{"jobs", list}};
}

nlohmann::json job_json(const job_details& job) {
  auto out = overview_json(job.job);
  out["latest_checkpoint"] = job.latest_checkpoint > 0 ? nlohmann::json(job.latest_checkpoint)
                                                       : nlohmann::json(nullptr);
  auto subtasks = nlohmann::json::array();
  for (const auto& s : job.subtasks)
    subtasks.push_back(subtask_json(job, s));
  out["subtasks"] = subtasks;
  return out;
}

nlohmann::json task_managers_json(const std::vector<task_manager_info>& task_managers) {
  auto list = nlohmann::json::array();
  for (const auto& tm : task_managers)
    list.push_back({{"name", tm.name},
                    {"peer_address", tm.peer_address},
                    {"slots", tm.slots},
                    {"slots_used", tm.slots_used},
                    {"ready", tm.ready}});
  return {{"taskmanagers", list}};
}

} // namespace sluice::cli
