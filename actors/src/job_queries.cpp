#include "job_queries.hpp"

#include "sluice/actors/checkpoint_ids.hpp"

#include <memory>
#include <set>

namespace sluice {

std::string job_state(const job_view& view) {
  const auto& d = view.deployment;
  if (d.ended)
    return "FINISHED";
  if (!d.deployed_once)
    return "CREATED";
  if (d.restarting)
    return "RESTARTING";
  if (!d.all_deployed())
    return "DEPLOYING";
  if (view.checkpoints.stopping)
    return "STOPPING";
  if (view.checkpoints.finishing || d.done > 0)
    return "FINISHING";
  return "RUNNING";
}

namespace {

job_overview overview(const job_view& view) {
  const auto& setup = view.setup;
  const auto uptime = std::chrono::steady_clock::now() - view.deployment.started_at;
  return job_overview{job_id_of(setup.job_name), setup.job_name, job_state(view),
                      std::chrono::duration_cast<std::chrono::milliseconds>(uptime).count()};
}

/// A job_details request waiting for the task managers' counters.
struct details_collector {
  job_details details;
  std::size_t waiting = 0;
  caf::response_promise promise;

  /// Counters from task manager `task_manager`: taken for the subtasks placed on it.
  void add(const execution_plan& plan, const std::string& task_manager,
           const std::vector<subtask_metrics>& metrics) {
    for (const auto& m : metrics) {
      if (m.vertex < 0 || static_cast<std::size_t>(m.vertex) >= plan.vertices().size())
        continue;
      auto i = flat_subtask_index(plan, m.vertex, m.subtask);
      if (i >= details.subtasks.size() || details.subtasks[i].task_manager != task_manager)
        continue;
      auto& s = details.subtasks[i];
      s.reported = true;
      s.records_in = m.records_in;
      s.records_out = m.records_out;
      s.backpressured_ms = m.backpressured_ns / 1000000;
      s.finished = m.finished;
    }
  }

  void one_done() {
    if (--waiting == 0)
      promise.deliver(details);
  }
};

} // namespace

bool names_job(const job_manager_setup& setup, const std::string& job) {
  return job == setup.job_name || job == job_id_of(setup.job_name);
}

caf::error unknown_job(const job_manager_setup& setup, const std::string& job) {
  return caf::make_error(caf::sec::runtime_error, "unknown job '" + job +
                                                      "': this job manager runs '" +
                                                      job_id_of(setup.job_name) + "'");
}

std::vector<job_overview> on_list_jobs(const job_view& view) {
  return {overview(view)};
}

caf::result<job_details> on_job_details(caf::event_based_actor& self, const job_view& view,
                                        const std::string& job) {
  const auto& setup = view.setup;
  if (!names_job(setup, job))
    return unknown_job(setup, job);
  const auto& d = view.deployment;
  const auto& plan = *setup.plan;
  auto c = std::make_shared<details_collector>();
  c->details.job = overview(view);
  if (view.checkpoints.core)
    c->details.latest_checkpoint = view.checkpoints.core->latest_completed_id().value_or(0);
  for (const auto& v : plan.vertices()) {
    for (int i = 0; i < v.parallelism; ++i) {
      const auto& where = d.locations[flat_subtask_index(plan, v.id, i)];
      subtask_status s;
      s.vertex = v.name;
      s.vertex_id = v.id;
      s.subtask = i;
      s.parallelism = v.parallelism;
      s.task_manager = d.deployed_once ? where.task_manager : std::string();
      s.slot = where.slot;
      c->details.subtasks.push_back(std::move(s));
    }
  }
  c->promise = self.make_response_promise();
  c->waiting = 1; // released below, after every request is out
  const auto timeout = std::chrono::milliseconds(setup.config->cluster.heartbeat_timeout_ms);
  for (const auto& tm : view.task_managers) {
    if (!tm.ready)
      continue;
    ++c->waiting;
    const auto name = tm.name;
    const auto shared_plan = setup.plan;
    self.request(tm.actor, timeout, metrics_atom::value)
        .then(
            [=](const std::vector<subtask_metrics>& metrics) {
              c->add(*shared_plan, name, metrics);
              c->one_done();
            },
            [=](const caf::error&) { c->one_done(); });
  }
  c->one_done();
  return c->promise;
}

std::vector<task_manager_info> on_list_task_managers(const job_view& view) {
  const auto& d = view.deployment;
  std::vector<task_manager_info> out;
  for (const auto& tm : view.task_managers) {
    std::set<int> used; // slots shared by subtasks of several vertices count once
    for (const auto& l : d.locations)
      if (d.deployed_once && l.task_manager == tm.name)
        used.insert(l.slot);
    out.push_back(task_manager_info{tm.name, tm.peer_address, tm.slots,
                                    static_cast<std::int32_t>(used.size()), tm.ready});
  }
  return out;
}

} // namespace sluice
