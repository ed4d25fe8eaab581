#include "cluster_actors.hpp"

#include "job_checkpoints.hpp"
#include "job_restarts.hpp"
#include "subtask_actor.hpp"

#include "sluice/operators/logging.hpp"

namespace sluice {

caf::behavior task_manager(caf::event_based_actor* self, task_manager_setup setup) {
  return {
      [=](const deploy_msg& msg) -> caf::result<caf::actor> {
        if (msg.subtask >= setup.slots)
          return caf::make_error(caf::sec::runtime_error,
                                 "task manager has " + std::to_string(setup.slots) + " slots");
        subtask_setup s;
        s.plan = setup.plan;
        s.config = setup.config;
        s.job_name = setup.job_name;
        s.vertex = msg.vertex;
        s.subtask = msg.subtask;
        s.job_manager = caf::actor_cast<caf::actor>(self->current_sender());
        s.counters = setup.status->add_counters();
        s.restore = msg.restore;
        return self->spawn<subtask_actor, caf::detached>(std::move(s));
      },
  };
}

namespace {

std::size_t subtask_count(const execution_plan& plan) {
  std::size_t n = 0;
  for (const auto& v : plan.vertices())
    n += static_cast<std::size_t>(v.parallelism);
  return n;
}

} // namespace

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
  self->send_exit(setup.task_manager, caf::exit_reason::user_shutdown);
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
  std::size_t index = 0;
  for (const auto& v : setup.plan->vertices()) {
    for (int i = 0; i < v.parallelism; ++i, ++index) {
      self->request(setup.task_manager, caf::infinite, deploy_msg{v.id, i, restore})
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
                  arm_checkpoint_tick(self);
                }
              },
              [=](caf::error& e) {
                end_job(self, setup,
                        job_result::failure("deploying '" + v.name + "' failed: " +
                                            self->system().render(e)));
              });
    }
  }
}

caf::behavior job_manager(jm_actor self, job_manager_setup setup) {
  auto& st = self->state;
  const auto& plan = *setup.plan;
  st.started_at = std::chrono::steady_clock::now();
  st.subtasks.resize(subtask_count(plan));
  st.finished.assign(st.subtasks.size(), false);
  st.restarts = setup.config->restart.make(setup.config->checkpointing.enabled());
  try {
    st.initial_restore = resolve_initial_restore(setup);
    if (setup.config->checkpointing.enabled())
      st.checkpointing = std::make_shared<job_checkpointing>(setup, st.initial_restore);
  } catch (const std::exception& e) {
    end_job(self, setup, job_result::failure(e.what()));
    return {};
  }
  log()->info("job '{}': deploying {} subtasks\n{}", setup.job_name, st.subtasks.size(),
              plan.describe());
  deploy_subtasks(self, setup, st.initial_restore);
  self->set_down_handler([=](caf::down_msg& dm) { on_subtask_down(self, setup, dm); });
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
      [=](const subtask_failed_msg& msg) { on_job_failure(self, setup, msg.error); },
      [=](restart_atom, int attempt) { on_restart_due(self, setup, attempt); },
      [=](checkpoint_tick_atom, std::int64_t due_ms) { on_checkpoint_tick(self, setup, due_ms); },
      [=](checkpoint_ack_msg& msg) { on_checkpoint_ack(self, setup, msg); },
      [=](const checkpoint_decline_msg& msg) { on_checkpoint_decline(self, setup, msg); },
      [=](const input_finished_msg& msg) { on_input_finished(self, setup, msg); },
      [=](const savepoint_request_msg& msg) -> caf::result<std::string> {
        return on_savepoint_request(self, setup, msg);
      },
      [=](cancel_job_atom) { end_job(self, setup, job_result::failure("job cancelled")); },
  };
}

} // namespace sluice
