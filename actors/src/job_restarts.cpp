#include "job_restarts.hpp"

#include "job_checkpoints.hpp"
#include "job_task_managers.hpp"

#include "sluice/actors/checkpoint_names.hpp"
#include "sluice/checkpoint/checkpoint_error.hpp"
#include "sluice/checkpoint/restore_point.hpp"
#include "sluice/operators/logging.hpp"

#include <algorithm>
#include <set>

namespace sluice {

namespace {

} // namespace

void maybe_redeploy(jm_actor self, const job_manager_setup& setup) {
  auto& s = self->state;
  if (s.ended || !s.restarting || !s.restart_due || !s.stopping.empty() ||
      !enough_slots(self, setup))
    return;
  s.restarting = false;
  s.restart_due = false;
  std::string restore;
  if (s.checkpointing)
    restore = restart_checkpointing(self, setup);
  else
    log()->warn("[{}] restarting from scratch (checkpointing is off)", setup.job_name);
  deploy_subtasks(self, setup, restore);
}

namespace {

/// Whether an operator's snapshot holds any state.
bool has_state(const operator_snapshot& op) {
  for (const auto& [index, s] : op.subtasks)
    if (s.keyed_state || (s.operator_state && !s.operator_state->path.empty()) || !s.blobs.empty())
      return true;
  return false;
}

} // namespace

std::string resolve_initial_restore(const job_manager_setup& setup) {
  const auto& config = setup.config->checkpointing;
  if (config.restore.empty())
    return {};
  auto point = resolve_restore(config.restore, config.checkpoint_dir, job_id_of(setup.job_name));
  for (const auto& w : point.warnings)
    log()->warn("[{}] {}", setup.job_name, w);
  std::set<std::string> uids;
  for (const auto& node : setup.plan->graph().nodes())
    uids.insert(operator_uid(node));
  std::string unmatched;
  for (const auto& [uid, op] : point.metadata.operators)
    if (!uids.count(uid) && has_state(op))
      unmatched += (unmatched.empty() ? "'" : ", '") + uid + "'";
  if (!unmatched.empty()) {
    if (!config.allow_non_restored_state)
      throw checkpoint_error("cannot restore '" + point.metadata_file.string() +
                             "': the state of operator(s) " + unmatched +
                             " matches no operator of the job (set uids with uid(...), or pass "
                             "--allow-non-restored-state to drop that state)");
    log()->warn("[{}] dropping the state of operator(s) {}: no operator of the job has their uid "
                "(--allow-non-restored-state)",
                setup.job_name, unmatched);
  }
  log()->info("[{}] restoring {} {} ({})", setup.job_name, to_string(point.metadata.kind),
              point.metadata.checkpoint_id, point.metadata_file.string());
  return point.metadata_file.string();
}

void on_job_failure(jm_actor self, const job_manager_setup& setup, const std::string& cause,
                    std::pair<int, int> task) {
  auto& s = self->state;
  if (s.ended || s.restarting)
    return;
  s.metrics.add_failure(job_failure_record{wall_clock_ms(), cause, task.first, task.second});
  auto delay = s.restarts->on_failure(steady_now_ms());
  if (!delay) {
    end_job(self, setup, job_result::failure(cause));
    return;
  }
  log()->warn("[{}] {}; restarting the job in {} ms ({})", setup.job_name, cause, *delay,
              s.restarts->description());
  s.restarting = true;
  ++s.attempt;
  for (std::size_t i = 0; i < s.subtasks.size(); ++i) {
    if (s.subtasks[i] && !s.finished[i]) {
      self->send_exit(s.subtasks[i], caf::exit_reason::user_shutdown);
      s.stopping.push_back(s.subtasks[i]);
    }
  }
  std::fill(s.subtasks.begin(), s.subtasks.end(), caf::actor{});
  s.finished.assign(s.subtasks.size(), false);
  s.done = 0;
  s.deployed = 0;
  if (s.checkpointing)
    forget_finished_inputs(self);
  self->delayed_send(self, std::chrono::milliseconds(*delay), restart_atom::value, s.attempt);
}

void on_subtask_failed(jm_actor self, const job_manager_setup& setup,
                       const subtask_failed_msg& msg) {
  const auto& s = self->state;
  if (!msg.restoring.empty() && s.checkpointing && !s.ended && !s.restarting &&
      msg.restoring == restore_on_restart(self)) {
    end_job(self, setup,
            job_result::failure(msg.error + " (restoring '" + msg.restoring +
                                "'; not restarted: a restart would restore the same checkpoint)"));
    return;
  }
  on_job_failure(self, setup, msg.error, {msg.vertex, msg.subtask});
}

void on_subtask_down(jm_actor self, const job_manager_setup& setup, const caf::down_msg& dm) {
  auto& s = self->state;
  auto stopped = std::find_if(s.stopping.begin(), s.stopping.end(),
                              [&](const caf::actor& a) { return a.address() == dm.source; });
  if (stopped != s.stopping.end()) {
    s.stopping.erase(stopped);
    maybe_redeploy(self, setup);
    return;
  }
  for (std::size_t i = 0; i < s.subtasks.size(); ++i) {
    if (s.subtasks[i] && s.subtasks[i].address() == dm.source && !s.finished[i]) {
      s.subtasks[i] = nullptr; // gone: not among the subtasks to cancel
      on_job_failure(self, setup,
                     "a subtask stopped unexpectedly: " + self->system().render(dm.reason));
      return;
    }
  }
}

void on_restart_due(jm_actor self, const job_manager_setup& setup, int attempt) {
  auto& s = self->state;
  if (attempt != s.attempt || !s.restarting)
    return;
  s.restart_due = true;
  maybe_redeploy(self, setup);
}

} // namespace sluice
