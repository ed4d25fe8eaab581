#include "job_queries.hpp"

#include "job_checkpoints.hpp"

#include "sluice/actors/checkpoint_names.hpp"

#include <memory>
#include <set>

namespace sluice {

std::string job_state(const job_manager_state& st) {
  if (st.ended)
    return "FINISHED";
  if (!st.deployed_once)
    return "CREATED";
  if (st.restarting)
    return "RESTARTING";
  if (st.deployed < st.subtasks.size())
    return "DEPLOYING";
  if (st.checkpointing && st.checkpointing->savepoints.stopping())
    return "STOPPING";
  if ((st.checkpointing && st.checkpointing->final_id) || st.done > 0)
    return "FINISHING";
  return "RUNNING";
}

namespace {

job_overview overview(jm_actor self, const job_manager_setup& setup) {
  const auto& st = self->state;
  const auto uptime = std::chrono::steady_clock::now() - st.started_at;
  return job_overview{job_id_of(setup.job_name), setup.job_name, job_state(st),
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

std::vector<job_overview> on_list_jobs(jm_actor self, const job_manager_setup& setup) {
  return {overview(self, setup)};
}

caf::result<job_details> on_job_details(jm_actor self, const job_manager_setup& setup,
                                        const std::string& job) {
  if (!names_job(setup, job))
    return unknown_job(setup, job);
  const auto& st = self->state;
  const auto& plan = *setup.plan;
  auto c = std::make_shared<details_collector>();
  c->details.job = overview(self, setup);
  if (st.checkpointing)
    c->details.latest_checkpoint = st.checkpointing->core.latest_completed_id().value_or(0);
  for (const auto& v : plan.vertices()) {
    for (int i = 0; i < v.parallelism; ++i) {
      const auto& where = st.locations[flat_subtask_index(plan, v.id, i)];
      subtask_status s;
      s.vertex = v.name;
      s.vertex_id = v.id;
      s.subtask = i;
      s.parallelism = v.parallelism;
      s.task_manager = st.deployed_once ? where.task_manager : std::string();
      s.slot = where.slot;
      c->details.subtasks.push_back(std::move(s));
    }
  }
  c->promise = self->make_response_promise();
  c->waiting = 1; // released below, after every request is out
  const auto timeout = std::chrono::milliseconds(setup.config->cluster.heartbeat_timeout_ms);
  for (const auto& tm : st.task_managers) {
    if (!tm.ready)
      continue;
    ++c->waiting;
    const auto name = tm.name;
    self->request(tm.actor, timeout, metrics_atom::value)
        .then(
            [=](const std::vector<subtask_metrics>& metrics) {
              c->add(*setup.plan, name, metrics);
              c->one_done();
            },
            [=](const caf::error&) { c->one_done(); });
  }
  c->one_done();
  return c->promise;
}

std::vector<task_manager_info> on_list_task_managers(jm_actor self) {
  const auto& st = self->state;
  std::vector<task_manager_info> out;
  for (const auto& tm : st.task_managers) {
    std::set<int> used; // slots shared by subtasks of several vertices count once
    for (const auto& l : st.locations)
      if (st.deployed_once && l.task_manager == tm.name)
        used.insert(l.slot);
    out.push_back(task_manager_info{tm.name, tm.peer_address, tm.slots,
                                    static_cast<std::int32_t>(used.size()), tm.ready});
  }
  return out;
}

caf::result<std::string> on_cancel_request(jm_actor self, const job_manager_setup& setup,
                                           const std::string& job) {
  if (!names_job(setup, job))
    return unknown_job(setup, job);
  auto promise = self->make_response_promise();
  promise.deliver(job_id_of(setup.job_name));
  end_job(self, setup, job_result::failure("job cancelled"));
  return promise;
}

} // namespace sluice
