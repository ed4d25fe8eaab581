#include "job_checkpoints.hpp"

#include "job_restarts.hpp"

#include "sluice/actors/checkpoint_names.hpp"
#include "sluice/checkpoint/checkpoint_error.hpp"
#include "sluice/checkpoint/metadata_file.hpp"
#include "sluice/operators/logging.hpp"

#include <algorithm>

namespace sluice {

namespace {

/// The longest the checkpoint timer sleeps while savepoints wait for their turn.
constexpr std::int64_t savepoint_tick_ms = 100;

std::vector<operator_layout> operator_layouts(const execution_plan& plan) {
  std::vector<operator_layout> out;
  for (const auto& v : plan.vertices())
    for (int node : v.nodes)
      out.push_back({operator_uid(plan.graph().node(node)), v.parallelism,
                     plan.max_parallelism()});
  return out;
}

template <class Message>
void broadcast(jm_actor self, const Message& msg) {
  for (const auto& sub : self->state.subtasks)
    if (sub)
      self->send(sub, msg);
}

void trigger(jm_actor self, const job_manager_setup& setup, bool final) {
  auto& ck = *self->state.checkpointing;
  const auto now = wall_clock_ms();
  const auto id = ck.core.trigger(now);
  if (final)
    ck.final_id = id;
  try {
    ck.storage->create_pending(id);
  } catch (const checkpoint_error& e) {
    // A full or failing disk: a failed checkpoint, counted against the tolerable failures.
    if (auto f = ck.core.abort(id, failure_reason::start_failed, e.what(), wall_clock_ms()))
      on_checkpoint_failure(self, setup, *f);
    return;
  }
  const auto& subtasks = self->state.subtasks;
  for (std::size_t i = 0; i < subtasks.size(); ++i)
    if (final || ck.is_source[i] || ck.input_finished[i])
      self->send(subtasks[i], trigger_checkpoint_msg{id, now, {}, false, false});
}

/// Triggers the final checkpoint once every subtask finished its input and nothing is pending
/// or waiting (savepoints go first).
void maybe_trigger_final(jm_actor self, const job_manager_setup& setup) {
  auto& ck = *self->state.checkpointing;
  if (!self->state.restarting && ck.core.config().enabled() &&
      ck.finished == ck.input_finished.size() && !ck.final_id && ck.core.pending_ids().empty() &&
      ck.savepoints.waiting.empty() && !ck.savepoints.stopping() &&
      (!ck.final_failed || ck.core.should_trigger(wall_clock_ms())))
    trigger(self, setup, true);
}

/// Removes what checkpoint or savepoint `id` wrote (a warning if it cannot).
void discard(jm_actor self, const job_manager_setup& setup, std::int64_t id) {
  auto& ck = *self->state.checkpointing;
  try {
    if (auto dir = ck.savepoints.dir_of(id)) {
      std::error_code ec;
      std::filesystem::remove_all(*dir, ec);
      if (ec)
        throw checkpoint_error("savepoint directory '" + dir->string() +
                               "' cannot be removed: " + ec.message());
    } else if (ck.storage) {
      ck.storage->discard(id);
    }
  } catch (const checkpoint_error& e) {
    log()->warn("[{}] {}", setup.job_name, e.what());
  }
}

} // namespace

void on_checkpoint_failure(jm_actor self, const job_manager_setup& setup,
                           const checkpoint_failure& f) {
  auto& ck = *self->state.checkpointing;
  ++self->state.metrics.checkpoints_failed;
  const auto what = ck.savepoints.dir_of(f.checkpoint_id) ? "savepoint"
                    : ck.final_id == f.checkpoint_id      ? "final checkpoint"
                                                          : "checkpoint";
  log()->warn("[{}] {} {} failed ({}): {}", setup.job_name, what, f.checkpoint_id,
              to_string(f.reason), f.message);
  discard(self, setup, f.checkpoint_id);
  broadcast(self, checkpoint_ended_msg{f.checkpoint_id, false});
  on_savepoint_failed(self, f.checkpoint_id,
                      std::string(to_string(f.reason)) + ": " + f.message);
  if (ck.final_id == f.checkpoint_id) {
    ck.final_id.reset();
    ck.final_failed = true;
  }
  if (ck.core.job_should_fail()) {
    on_job_failure(self, setup,
                   "checkpoint " + std::to_string(f.checkpoint_id) + " failed (" +
                       to_string(f.reason) + "): " + f.message +
                       "; more consecutive checkpoint failures than tolerated (" +
                       std::to_string(ck.core.config().tolerable_failures) + ")");
    return;
  }
  maybe_trigger_savepoint(self, setup);
  maybe_trigger_final(self, setup);
  arm_checkpoint_tick(self);
}

namespace {

/// Every subtask acknowledged: writes `_metadata`, completes, retires old checkpoints, notifies.
void complete(jm_actor self, const job_manager_setup& setup, const checkpoint_metadata& m) {
  auto& ck = *self->state.checkpointing;
  const auto id = m.checkpoint_id;
  const auto savepoint_dir = ck.savepoints.dir_of(id);
  try {
    if (savepoint_dir)
      write_metadata_file(*savepoint_dir, m);
    else
      ck.storage->write_metadata(m);
  } catch (const checkpoint_error& e) {
    if (auto f = ck.core.abort(id, failure_reason::finalize_failed, e.what(), wall_clock_ms()))
      on_checkpoint_failure(self, setup, *f);
    return;
  }
  const auto now = wall_clock_ms();
  auto stats = ck.core.complete(id, now);
  ++self->state.metrics.checkpoints_completed;
  try {
    if (!savepoint_dir)
      ck.storage->apply_retention(ck.core.config().retained);
    // A failed checkpoint's directory outlives its discard when a subtask still wrote into it
    // (a slow writer, a full disk): removed with the next completed one.
    if (!savepoint_dir && ck.core.pending_ids().empty())
      ck.storage->discard_incomplete();
  } catch (const checkpoint_error& e) {
    log()->warn("[{}] {}", setup.job_name, e.what());
  }
  log()->info("[{}] {}", setup.job_name, stats.to_string(now));
  setup.status->add_completed_checkpoint(stats);
  broadcast(self, checkpoint_ended_msg{id, true});
  if (ck.final_id == id) {
    broadcast(self, close_subtask_atom::value);
  } else {
    if (savepoint_dir)
      on_savepoint_completed(self, id);
    maybe_trigger_savepoint(self, setup);
    maybe_trigger_final(self, setup);
  }
  arm_checkpoint_tick(self);
}

} // namespace

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

job_checkpointing::job_checkpointing(const job_manager_setup& setup,
                                     const std::string& initial_restore)
    : core(setup.config->checkpointing, job_id_of(setup.job_name),
           to_string(setup.config->state.kind), operator_layouts(*setup.plan), wall_clock_ms()) {
  if (!initial_restore.empty())
    core.restore_from(read_metadata_file(initial_restore).checkpoint_id);
  if (!setup.config->checkpointing.checkpoint_dir.empty()) {
    storage.emplace(setup.config->checkpointing.checkpoint_dir, job_id_of(setup.job_name));
    if (auto highest = storage->highest_checkpoint_id())
      core.restore_from(*highest);
    storage->discard_incomplete();
  }
  for (const auto& v : setup.plan->vertices()) {
    const bool source = setup.plan->graph().node(v.nodes.front()).is_source;
    is_source.insert(is_source.end(), static_cast<std::size_t>(v.parallelism), source);
  }
  input_finished.assign(is_source.size(), false);
}

void arm_checkpoint_tick(jm_actor self) {
  if (self->state.ended || !self->state.checkpointing)
    return;
  auto& ck = *self->state.checkpointing;
  const auto now = wall_clock_ms();
  // Wakes only when there is something to do: the next periodic trigger, the earliest timeout
  // of a pending checkpoint, or a waiting savepoint. Every wake-up costs the running job
  // throughput (a scheduler thread polls for work for a while after each message).
  std::optional<std::int64_t> due = ck.core.next_trigger_ms();
  auto earliest = [&](std::int64_t t) { due = due ? std::min(*due, t) : t; };
  for (auto id : ck.core.pending_ids())
    earliest(ck.core.pending_stats(id)->trigger_ms + ck.core.config().timeout_ms);
  if (!ck.savepoints.waiting.empty())
    earliest(now + savepoint_tick_ms);
  if (!due)
    return;
  due = std::max(*due, now + 1);
  if (ck.armed_tick_ms && *ck.armed_tick_ms <= *due)
    return;
  ck.armed_tick_ms = due;
  self->delayed_send(self, std::chrono::milliseconds(*due - now), checkpoint_tick_atom::value,
                     *due);
}

void on_checkpoint_tick(jm_actor self, const job_manager_setup& setup, std::int64_t due_ms) {
  if (self->state.ended || !self->state.checkpointing)
    return;
  auto& ck = *self->state.checkpointing;
  if (ck.armed_tick_ms != due_ms)
    return;
  ck.armed_tick_ms.reset();
  for (const auto& f : ck.core.check_timeouts(wall_clock_ms())) {
    on_checkpoint_failure(self, setup, f);
    if (self->state.ended)
      return;
  }
  maybe_trigger_savepoint(self, setup);
  if (!self->state.restarting && ck.finished < ck.input_finished.size() &&
      ck.savepoints.waiting.empty() && !ck.savepoints.stopping() &&
      ck.core.should_trigger(wall_clock_ms()))
    trigger(self, setup, false);
  maybe_trigger_final(self, setup);
  arm_checkpoint_tick(self);
}

void on_checkpoint_ack(jm_actor self, const job_manager_setup& setup, checkpoint_ack_msg& msg) {
  if (self->state.ended || !self->state.checkpointing)
    return;
  auto& ck = *self->state.checkpointing;
  const auto& plan = *setup.plan;
  const auto& vertex = plan.vertices().at(static_cast<std::size_t>(msg.vertex));
  auto start_delay_ms = msg.start_delay_ms;
  const auto* pending = ck.core.pending_stats(msg.checkpoint_id);
  if (pending && msg.first_barrier_ms > 0)
    start_delay_ms = std::max<std::int64_t>(0, msg.first_barrier_ms - pending->trigger_ms);
  subtask_ack_stats stats{msg.alignment_ms, start_delay_ms, msg.in_flight_bytes};
  for (int node : vertex.nodes) {
    const auto uid = operator_uid(plan.graph().node(node));
    subtask_state state;
    auto it = msg.states.find(uid);
    if (it != msg.states.end())
      state = subtask_state_from_text(it->second, msg.subtask, plan.max_parallelism());
    auto result = ck.core.acknowledge(msg.checkpoint_id, subtask_id{uid, msg.subtask},
                                      checkpoint_ack{std::move(state), stats}, wall_clock_ms());
    if (result.status == ack_status::all_acknowledged)
      complete(self, setup, *result.metadata);
  }
}

void on_checkpoint_decline(jm_actor self, const job_manager_setup& setup,
                           const checkpoint_decline_msg& msg) {
  if (self->state.ended || !self->state.checkpointing)
    return;
  auto& ck = *self->state.checkpointing;
  const auto& vertex = setup.plan->vertices().at(static_cast<std::size_t>(msg.vertex));
  const auto uid = operator_uid(setup.plan->graph().node(vertex.nodes.front()));
  if (auto f = ck.core.decline(msg.checkpoint_id, subtask_id{uid, msg.subtask}, msg.reason,
                               wall_clock_ms()))
    on_checkpoint_failure(self, setup, *f);
}

void forget_finished_inputs(jm_actor self) {
  auto& ck = *self->state.checkpointing;
  ck.input_finished.assign(ck.input_finished.size(), false);
  ck.finished = 0;
}

std::string restart_checkpointing(jm_actor self, const job_manager_setup& setup) {
  auto& ck = *self->state.checkpointing;
  for (const auto& f : ck.core.on_job_restart(wall_clock_ms()))
    discard(self, setup, f.checkpoint_id);
  fail_savepoints(self, "the job restarted before the savepoint completed", false);
  forget_finished_inputs(self);
  ck.final_id.reset();
  ck.final_failed = false;
  const auto restore = restore_on_restart(self);
  if (const auto latest = ck.core.latest_completed_id())
    log()->warn("[{}] restoring checkpoint {} ({})", setup.job_name, *latest, restore);
  else
    log()->warn("[{}] no checkpoint completed in this run: restarting from {}", setup.job_name,
                restore.empty() ? std::string("scratch") : restore);
  return restore;
}

std::string restore_on_restart(jm_actor self) {
  const auto& ck = *self->state.checkpointing;
  if (const auto latest = ck.core.latest_completed_id())
    return (ck.storage->checkpoint_path(*latest) / "_metadata").string();
  return self->state.initial_restore;
}

void on_input_finished(jm_actor self, const job_manager_setup& setup,
                       const input_finished_msg& msg) {
  if (self->state.ended || !self->state.checkpointing || self->state.restarting)
    return;
  auto& ck = *self->state.checkpointing;
  const auto i = flat_subtask_index(*setup.plan, msg.vertex, msg.subtask);
  if (ck.input_finished[i])
    return;
  ck.input_finished[i] = true;
  ++ck.finished;
  for (auto id : ck.core.pending_ids())
    self->send(self->state.subtasks[i],
               trigger_message(self, id, ck.core.pending_stats(id)->trigger_ms));
  maybe_trigger_final(self, setup);
}

} // namespace sluice
