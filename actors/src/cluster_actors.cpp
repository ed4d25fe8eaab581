#include "cluster_actors.hpp"

#include "job_checkpoints.hpp"
#include "job_restarts.hpp"
#include "error_text.hpp"
#include "job_queries.hpp"
#include "job_reports.hpp"
#include "job_task_managers.hpp"

#include "sluice/operators/logging.hpp"

namespace sluice {

namespace {

std::size_t subtask_count(const execution_plan& plan) {
  std::size_t n = 0;
  for (const auto& v : plan.vertices())
    n += static_cast<std::size_t>(v.parallelism);
  return n;
}

} // namespace

std::int64_t steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::size_t flat_subtask_index(const execution_plan& plan, int vertex, int subtask) {
  std::size_t offset = 0;
  for (int v = 0; v < vertex; ++v)
    offset += static_cast<std::size_t>(plan.vertices()[static_cast<std::size_t>(v)].parallelism);
  return offset + static_cast<std::size_t>(subtask);
}

void end_job(jm_actor self, const job_manager_setup& setup, job_result result) {
  auto& st = self->state;
  if (st.ended)
    return;
  st.ended = true;
  for (std::size_t i = 0; i < st.subtasks.size(); ++i)
    if (st.subtasks[i] && !st.finished[i])
      self->send_exit(st.subtasks[i], caf::exit_reason::user_shutdown);
  for (const auto& tm : st.task_managers)
    self->send_exit(tm.actor, caf::exit_reason::user_shutdown);
  st.task_managers.clear();
  if (st.checkpointing)
    fail_savepoints(self, result.ok() ? "the job finished" : "the job failed: " + result.error(),
                    true);
  result.duration = std::chrono::steady_clock::now() - st.started_at;
  if (result.ok())
    log()->info("job '{}' finished in {} ms", setup.job_name,
                std::chrono::duration_cast<std::chrono::milliseconds>(result.duration).count());
  setup.status->complete(std::move(result));
  st.subtasks.clear();
  st.checkpointing.reset();
  self->quit();
}

void deploy_subtasks(jm_actor self, const job_manager_setup& setup, const std::string& restore) {
  auto& st = self->state;
  const auto attempt = st.attempt;
  st.restored_from = restore;
  std::vector<const task_manager_entry*> ready;
  std::vector<int> offers;
  for (const auto& tm : st.task_managers) {
    if (tm.ready) {
      ready.push_back(&tm);
      offers.push_back(tm.slots);
    }
  }
  const auto placement = place_slots(offers, setup.plan->required_slots());
  const auto timeout = std::chrono::milliseconds(setup.config->cluster.registration_timeout_ms);
  std::size_t index = 0;
  for (const auto& v : setup.plan->vertices()) {
    for (int i = 0; i < v.parallelism; ++i, ++index) {
      const auto& slot = placement.at(static_cast<std::size_t>(i));
      const auto& tm = *ready[static_cast<std::size_t>(slot.task_manager)];
      st.locations[index] = subtask_location{tm.name, slot.slot};
      st.metrics.lost_task_managers.erase(tm.name);
      self->request(tm.actor, timeout, deploy_msg{v.id, i, slot.slot, restore})
          .then(
              [=](caf::actor& a) {
                auto& s = self->state;
                if (s.ended || s.attempt != attempt) {
                  self->send_exit(a, caf::exit_reason::user_shutdown);
                  return;
                }
                self->monitor(a);
                s.subtasks[index] = std::move(a);
                if (++s.deployed == s.subtasks.size()) {
                  for (auto& sub : s.subtasks)
                    self->send(sub, start_msg{s.subtasks});
                  log()->info("[{}] all {} subtasks deployed and started (attempt {})",
                              setup.job_name, s.subtasks.size(), attempt + 1);
                  arm_checkpoint_tick(self);
                }
              },
              [=](caf::error& e) {
                if (self->state.attempt == attempt)
                  on_job_failure(self, setup,
                                 "deploying '" + v.name + "' (" + std::to_string(i + 1) +
                                     ") to task manager " + tm.name +
                                     " failed: " + error_text(e));
              });
    }
  }
}

caf::behavior job_manager(jm_actor self, job_manager_setup setup) {
  auto& st = self->state;
  const auto& plan = *setup.plan;
  st.started_at = std::chrono::steady_clock::now();
  st.subtasks.resize(subtask_count(plan));
  st.locations.resize(st.subtasks.size());
  st.finished.assign(st.subtasks.size(), false);
  st.restarts = setup.config->restart.make(setup.config->checkpointing.enabled());
  st.metrics.start_time_ms = wall_clock_ms();
  st.metrics.subtasks.resize(st.subtasks.size());
  try {
    st.initial_restore = resolve_initial_restore(setup);
    if (setup.config->checkpointing.enabled())
      st.checkpointing = std::make_shared<job_checkpointing>(setup, st.initial_restore);
  } catch (const std::exception& e) {
    end_job(self, setup, job_result::failure(e.what()));
    return {};
  }
  if (setup.local_task_manager)
    st.task_managers.push_back(*setup.local_task_manager);
  self->set_down_handler([=](caf::down_msg& dm) {
    if (!on_task_manager_down(self, setup, dm))
      on_subtask_down(self, setup, dm);
  });
  maybe_start(self, setup);
  if (setup.config->metrics_interval_ms > 0)
    self->send(self, metrics_tick_atom::value);
  return {
      [=](const subtask_done_msg& msg) {
        auto& s = self->state;
        auto i = flat_subtask_index(plan, msg.vertex, msg.subtask);
        if (!s.restarting && !s.finished[i]) {
          s.finished[i] = true;
          if (++s.done == s.subtasks.size())
            end_job(self, setup, job_result{});
          else
            on_subtask_finished(self, setup, msg.vertex, msg.subtask);
        }
      },
      [=](const subtask_failed_msg& msg) { on_subtask_failed(self, setup, msg); },
      [=](restart_atom, int attempt) { on_restart_due(self, setup, attempt); },
      [=](checkpoint_tick_atom, std::int64_t due_ms) { on_checkpoint_tick(self, setup, due_ms); },
      [=](checkpoint_ack_msg& msg) { on_checkpoint_ack(self, setup, msg); },
      [=](const checkpoint_decline_msg& msg) { on_checkpoint_decline(self, setup, msg); },
      [=](const input_finished_msg& msg) { on_input_finished(self, setup, msg); },
      [=](const register_task_manager_msg& msg) {
        return on_register_task_manager(self, setup, msg);
      },
      [=](task_manager_ready_atom) { on_task_manager_ready(self, setup); },
      [=](slots_timeout_atom) { on_slots_timeout(self, setup); },
      [=](const savepoint_request_msg& msg) -> caf::result<std::string> {
        return on_savepoint_request(self, setup, msg);
      },
      [=](cancel_job_atom) { end_job(self, setup, job_result::failure("job cancelled")); },
      [=](cancel_job_atom, const std::string& job) { return on_cancel_request(self, setup, job); },
      [=](list_jobs_atom) { return on_list_jobs(self, setup); },
      [=](job_details_atom, const std::string& job) { return on_job_details(self, setup, job); },
      [=](list_task_managers_atom) { return on_list_task_managers(self); },
      [=](metrics_tick_atom) { on_metrics_tick(self, setup); },
      [=](rest_state_atom) { return job_state_document(self, setup); },
  };
}

} // namespace sluice
