#include "sluice/checkpoint/checkpoint_coordinator_core.hpp"

#include "sluice/checkpoint/checkpoint_error.hpp"
#include "sluice/state/key_group.hpp"

#include <algorithm>
#include <stdexcept>

namespace sluice {

namespace {

/// "a[0], b[1]" for at most `limit` subtasks, then ", and N more".
std::string list_subtasks(const std::set<subtask_id>& tasks, std::size_t limit = 5) {
  std::string out;
  std::size_t n = 0;
  for (const auto& t : tasks) {
    if (n == limit) {
      out += ", and " + std::to_string(tasks.size() - limit) + " more";
      break;
    }
    out += (n++ ? ", " : "") + t.to_string();
  }
  return out;
}

} // namespace

const char* to_string(failure_reason reason) {
  switch (reason) {
  case failure_reason::expired:
    return "expired";
  case failure_reason::declined:
    return "declined";
  case failure_reason::finalize_failed:
    return "finalize failed";
  case failure_reason::job_failover:
    return "job failover";
  case failure_reason::start_failed:
    return "start failed";
  }
  return "?";
}

checkpoint_coordinator_core::checkpoint_coordinator_core(checkpoint_config config,
                                                         std::string job_id,
                                                         std::string state_backend,
                                                         std::vector<operator_layout> operators,
                                                         std::int64_t now_ms)
    : config_(std::move(config)), job_id_(std::move(job_id)),
      state_backend_(std::move(state_backend)), next_periodic_ms_(now_ms + config_.interval_ms),
      history_(history_capacity) {
  config_.validate();
  set_operators(std::move(operators));
}

void checkpoint_coordinator_core::set_operators(std::vector<operator_layout> operators) {
  if (!pending_.empty())
    throw std::logic_error("the operators of a job change while a checkpoint is pending");
  std::map<std::string, operator_layout> by_uid;
  for (auto& op : operators) {
    check_parallelism(op.parallelism, op.max_parallelism);
    if (!by_uid.emplace(op.uid, op).second)
      throw std::invalid_argument("operator uid '" + op.uid + "' appears twice in the job");
  }
  operators_ = std::move(by_uid);
}

std::optional<std::int64_t> checkpoint_coordinator_core::next_trigger_ms() const {
  if (!config_.enabled() || pending_.size() >= static_cast<std::size_t>(config_.max_concurrent))
    return std::nullopt;
  if (last_end_ms_)
    return std::max(next_periodic_ms_, *last_end_ms_ + config_.min_pause_ms);
  return next_periodic_ms_;
}

std::int64_t checkpoint_coordinator_core::trigger(std::int64_t now_ms, snapshot_kind kind) {
  std::vector<subtask_id> all;
  for (const auto& [uid, op] : operators_)
    for (int i = 0; i < op.parallelism; ++i)
      all.push_back({uid, i});
  return trigger(now_ms, kind, std::move(all));
}

std::int64_t checkpoint_coordinator_core::trigger(std::int64_t now_ms, snapshot_kind kind,
                                                  std::vector<subtask_id> expected) {
  if (pending_.size() >= static_cast<std::size_t>(config_.max_concurrent))
    throw checkpoint_error("cannot trigger a " + std::string(to_string(kind)) + ": " +
                           std::to_string(pending_.size()) + " checkpoint(s) pending, at most " +
                           std::to_string(config_.max_concurrent) + " allowed");
  if (expected.empty())
    throw std::invalid_argument("a checkpoint needs at least one subtask to acknowledge it");
  pending_checkpoint p;
  for (auto& task : expected) {
    auto op = operators_.find(task.operator_uid);
    if (op == operators_.end() || task.index < 0 || task.index >= op->second.parallelism)
      throw std::invalid_argument("subtask " + task.to_string() + " is not part of the job");
    if (!p.expected.insert(task).second)
      throw std::invalid_argument("subtask " + task.to_string() + " is expected twice");
  }
  p.awaiting = p.expected;

  const auto id = next_id_++;
  p.stats.checkpoint_id = id;
  p.stats.kind = kind;
  p.stats.trigger_ms = now_ms;
  p.stats.expected_acks = p.expected.size();
  p.metadata.job_id = job_id_;
  p.metadata.checkpoint_id = id;
  p.metadata.kind = kind;
  p.metadata.timestamp_ms = now_ms;
  p.metadata.state_backend = state_backend_;
  for (const auto& [uid, op] : operators_)
    p.metadata.operators[uid] = {op.parallelism, op.max_parallelism, {}};
  pending_.emplace(id, std::move(p));
  if (kind == snapshot_kind::checkpoint)
    next_periodic_ms_ = now_ms + config_.interval_ms;
  return id;
}

ack_result checkpoint_coordinator_core::acknowledge(std::int64_t checkpoint_id,
                                                    const subtask_id& task, checkpoint_ack ack,
                                                    std::int64_t now_ms) {
  auto it = pending_.find(checkpoint_id);
  if (it == pending_.end())
    return {ack_status::unknown_checkpoint, std::nullopt};
  auto& p = it->second;
  if (!p.expected.count(task))
    return {ack_status::unexpected_subtask, std::nullopt};
  if (!p.awaiting.erase(task))
    return {ack_status::duplicate, std::nullopt};

  p.stats.acks.push_back({task, now_ms - p.stats.trigger_ms,
                          ack.state.state_size_bytes() + ack.stats.in_flight_bytes, ack.stats,
                          ack.state.written_bytes() + ack.stats.in_flight_bytes});
  p.metadata.operators[task.operator_uid].subtasks[task.index] = std::move(ack.state);
  if (!p.awaiting.empty())
    return {ack_status::acknowledged, std::nullopt};
  return {ack_status::all_acknowledged, p.metadata};
}

checkpoint_stats checkpoint_coordinator_core::complete(std::int64_t checkpoint_id,
                                                       std::int64_t now_ms) {
  auto it = pending_.find(checkpoint_id);
  if (it == pending_.end() || !it->second.awaiting.empty())
    throw std::logic_error("checkpoint " + std::to_string(checkpoint_id) +
                           " cannot complete: it is not pending with every acknowledgement");
  auto stats = std::move(it->second.stats);
  pending_.erase(it);
  stats.status = checkpoint_status::completed;
  stats.end_ms = now_ms;
  last_end_ms_ = now_ms;
  if (stats.kind == snapshot_kind::checkpoint) {
    consecutive_failures_ = 0;
    latest_completed_ = std::max(latest_completed_.value_or(checkpoint_id), checkpoint_id);
  }
  history_.add(stats);
  return stats;
}

std::optional<checkpoint_failure> checkpoint_coordinator_core::decline(std::int64_t checkpoint_id,
                                                                       const subtask_id& task,
                                                                       const std::string& reason,
                                                                       std::int64_t now_ms) {
  return abort(checkpoint_id, failure_reason::declined,
               "declined by " + task.to_string() + ": " + reason, now_ms);
}

std::vector<checkpoint_failure> checkpoint_coordinator_core::check_timeouts(std::int64_t now_ms) {
  std::vector<checkpoint_failure> out;
  for (auto it = pending_.begin(); it != pending_.end();) {
    auto next = std::next(it);
    const auto& p = it->second;
    if (now_ms - p.stats.trigger_ms >= config_.timeout_ms)
      out.push_back(fail(it, failure_reason::expired,
                         "not acknowledged within " + std::to_string(config_.timeout_ms) +
                             " ms by " + std::to_string(p.awaiting.size()) + " of " +
                             std::to_string(p.expected.size()) +
                             " subtasks: " + list_subtasks(p.awaiting),
                         now_ms));
    it = next;
  }
  return out;
}

std::optional<checkpoint_failure> checkpoint_coordinator_core::abort(std::int64_t checkpoint_id,
                                                                     failure_reason reason,
                                                                     const std::string& message,
                                                                     std::int64_t now_ms) {
  auto it = pending_.find(checkpoint_id);
  if (it == pending_.end())
    return std::nullopt;
  return fail(it, reason, message, now_ms);
}

checkpoint_failure
checkpoint_coordinator_core::fail(std::map<std::int64_t, pending_checkpoint>::iterator it,
                                  failure_reason reason, const std::string& message,
                                  std::int64_t now_ms) {
  auto stats = std::move(it->second.stats);
  pending_.erase(it);
  checkpoint_failure out{stats.checkpoint_id, reason, message,
                         stats.kind == snapshot_kind::checkpoint &&
                             reason != failure_reason::job_failover};
  if (out.counted)
    ++consecutive_failures_;
  stats.status = checkpoint_status::failed;
  stats.end_ms = now_ms;
  stats.failure = std::string(to_string(reason)) + ": " + message;
  last_end_ms_ = now_ms;
  history_.add(std::move(stats));
  return out;
}

void checkpoint_coordinator_core::restore_from(std::int64_t checkpoint_id) {
  next_id_ = std::max(next_id_, checkpoint_id + 1);
}

std::vector<checkpoint_failure> checkpoint_coordinator_core::on_job_restart(std::int64_t now_ms) {
  std::vector<checkpoint_failure> out;
  while (!pending_.empty())
    out.push_back(fail(pending_.begin(), failure_reason::job_failover,
                       "the job restarted before it completed", now_ms));
  consecutive_failures_ = 0;
  next_periodic_ms_ = now_ms + config_.interval_ms;
  return out;
}

std::vector<std::int64_t> checkpoint_coordinator_core::pending_ids() const {
  std::vector<std::int64_t> out;
  for (const auto& [id, p] : pending_)
    out.push_back(id);
  return out;
}

const checkpoint_stats*
checkpoint_coordinator_core::pending_stats(std::int64_t checkpoint_id) const {
  auto it = pending_.find(checkpoint_id);
  return it == pending_.end() ? nullptr : &it->second.stats;
}

} // namespace sluice
