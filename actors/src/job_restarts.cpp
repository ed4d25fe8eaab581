#include "job_restarts.hpp"

#include "sluice/actors/checkpoint_ids.hpp"
#include "sluice/checkpoint/checkpoint_error.hpp"
#include "sluice/checkpoint/checkpoint_storage.hpp"
#include "sluice/checkpoint/restore_point.hpp"
#include "sluice/operators/core/logging.hpp"

#include <algorithm>
#include <set>

namespace sluice {

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
  const auto job_id = job_id_of(setup.job_name);
  if (config.restore == "latest" && !config.checkpoint_dir.empty()) {
    const checkpoint_storage storage(config.checkpoint_dir, job_id);
    if (storage.completed_checkpoints().empty()) {
      // A supervisor restarting a job killed before its first checkpoint completed: nothing
      // was committed yet, so the job starts over (an explicit --restore PATH stays strict).
      log()->warn("[{}] no completed checkpoint of job '{}' in '{}' yet: starting from scratch "
                  "(--restore latest)",
                  setup.job_name, job_id, storage.job_dir().string());
      return {};
    }
  }
  auto point = resolve_restore(config.restore, config.checkpoint_dir, job_id);
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

job_restarts::job_restarts(caf::event_based_actor& self, const job_manager_setup& setup,
                           job_deployment& deployment)
    : self_(self),
      setup_(setup),
      deployment_(deployment),
      strategy_(setup.config->restart.make(setup.config->checkpointing.enabled())) {}

bool job_restarts::restart(const std::string& cause) {
  auto delay = strategy_->on_failure(steady_now_ms());
  if (!delay)
    return false;
  log()->warn("[{}] {}; restarting the job in {} ms ({})", setup_.job_name, cause, *delay,
              strategy_->description());
  auto& d = deployment_;
  d.restarting = true;
  ++d.attempt;
  for (std::size_t i = 0; i < d.subtasks.size(); ++i) {
    if (d.subtasks[i] && !d.finished[i]) {
      self_.send_exit(d.subtasks[i], caf::exit_reason::user_shutdown);
      stopping_.push_back(d.subtasks[i]);
    }
  }
  std::fill(d.subtasks.begin(), d.subtasks.end(), caf::actor{});
  d.finished.assign(d.subtasks.size(), false);
  d.done = 0;
  d.deployed = 0;
  self_.delayed_send(&self_, std::chrono::milliseconds(*delay), restart_atom::value, d.attempt);
  return true;
}

bool job_restarts::on_cancelled_down(const caf::down_msg& dm) {
  auto stopped = std::find_if(stopping_.begin(), stopping_.end(),
                              [&](const caf::actor& a) { return a.address() == dm.source; });
  if (stopped == stopping_.end())
    return false;
  stopping_.erase(stopped);
  return true;
}

bool job_restarts::on_restart_due(int attempt) {
  if (attempt != deployment_.attempt || !deployment_.restarting)
    return false;
  restart_due_ = true;
  return true;
}

bool job_restarts::due() const {
  return deployment_.restarting && restart_due_ && stopping_.empty();
}

void job_restarts::redeploying() {
  deployment_.restarting = false;
  restart_due_ = false;
}

} // namespace sluice
