#include "job_checkpointer.hpp"

#include "sluice/actors/checkpoint_ids.hpp"
#include "sluice/checkpoint/checkpoint_error.hpp"
#include "sluice/checkpoint/metadata_file.hpp"
#include "sluice/operators/core/logging.hpp"

#include <algorithm>
#include <utility>

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

/// Whether each subtask (by flat subtask index) runs a source.
std::vector<bool> sources_of(const execution_plan& plan) {
  std::vector<bool> out;
  for (const auto& v : plan.vertices())
    out.insert(out.end(), static_cast<std::size_t>(v.parallelism),
               plan.graph().node(v.nodes.front()).is_source);
  return out;
}

} // namespace

job_checkpointer::job_checkpointer(caf::event_based_actor& self, const job_manager_setup& setup,
                                   const job_deployment& deployment, std::string initial_restore,
                                   std::function<void(const std::string&)> fail_job)
    : self_(self),
      setup_(setup),
      deployment_(deployment),
      initial_restore_(std::move(initial_restore)),
      fail_job_(std::move(fail_job)),
      core_(setup.config->checkpointing, job_id_of(setup.job_name),
            to_string(setup.config->state.kind), operator_layouts(*setup.plan), wall_clock_ms()) {
  if (!initial_restore_.empty())
    core_.restore_from(read_metadata_file(initial_restore_).checkpoint_id);
  if (!setup.config->checkpointing.checkpoint_dir.empty()) {
    storage_.emplace(setup.config->checkpointing.checkpoint_dir, job_id_of(setup.job_name));
    if (auto highest = storage_->highest_checkpoint_id())
      core_.restore_from(*highest);
    storage_->discard_incomplete();
    // No subtask runs yet when checkpointing is on (a checkpointer created for a first
    // savepoint comes while they do): what a crash left in shared/ can go.
    if (setup.config->checkpointing.enabled())
      sweep_shared();
  }
  is_source_ = sources_of(*setup.plan);
  input_finished_.assign(is_source_.size(), false);
}

void job_checkpointer::rescaled() {
  core_.set_operators(operator_layouts(*setup_.plan));
  is_source_ = sources_of(*setup_.plan);
  input_finished_.assign(is_source_.size(), false);
  finished_ = 0;
  stopped_ = false;
  stopped_for_rescale_ = false;
}

void job_checkpointer::sweep_shared() {
  try {
    const auto removed = storage_->sweep_shared();
    if (!removed.empty())
      log()->info("[{}] removed {} shared state files no checkpoint references from '{}'",
                  setup_.job_name, removed.size(), storage_->shared_dir().string());
  } catch (const checkpoint_error& e) {
    log()->warn("[{}] shared state files kept: {}", setup_.job_name, e.what());
  }
}

void job_checkpointer::trigger(bool final) {
  const auto now = wall_clock_ms();
  const auto id = core_.trigger(now);
  if (final)
    final_id_ = id;
  try {
    storage_->create_pending(id);
  } catch (const checkpoint_error& e) {
    // A full or failing disk: a failed checkpoint, counted against the tolerable failures.
    if (auto f = core_.abort(id, failure_reason::start_failed, e.what(), wall_clock_ms()))
      on_failure(*f);
    return;
  }
  const auto& subtasks = deployment_.subtasks;
  for (std::size_t i = 0; i < subtasks.size(); ++i)
    if (final || is_source_[i] || input_finished_[i])
      self_.send(subtasks[i], trigger_checkpoint_msg{id, now, {}, false, false});
}

void job_checkpointer::maybe_trigger_final() {
  if (!deployment_.restarting && deployment_.all_deployed() && core_.config().enabled() &&
      finished_ == input_finished_.size() && !final_id_ && core_.pending_ids().empty() &&
      waiting_savepoints_.empty() && !stopping() &&
      (!final_failed_ || core_.should_trigger(wall_clock_ms())))
    trigger(true);
}

void job_checkpointer::discard(std::int64_t id) {
  try {
    if (auto dir = savepoint_dir(id)) {
      std::error_code ec;
      std::filesystem::remove_all(*dir, ec);
      if (ec)
        throw checkpoint_error("savepoint directory '" + dir->string() +
                               "' cannot be removed: " + ec.message());
    } else if (storage_) {
      storage_->discard(id);
    }
  } catch (const checkpoint_error& e) {
    log()->warn("[{}] {}", setup_.job_name, e.what());
  }
}

void job_checkpointer::on_failure(const checkpoint_failure& f) {
  ++failed_;
  const auto what = savepoint_dir(f.checkpoint_id) ? "savepoint"
                    : final_id_ == f.checkpoint_id  ? "final checkpoint"
                                                    : "checkpoint";
  log()->warn("[{}] {} {} failed ({}): {}", setup_.job_name, what, f.checkpoint_id,
              to_string(f.reason), f.message);
  discard(f.checkpoint_id);
  broadcast(checkpoint_ended_msg{f.checkpoint_id, false});
  on_savepoint_failed(f.checkpoint_id, std::string(to_string(f.reason)) + ": " + f.message);
  if (final_id_ == f.checkpoint_id) {
    final_id_.reset();
    final_failed_ = true;
  }
  if (core_.job_should_fail()) {
    fail_job_("checkpoint " + std::to_string(f.checkpoint_id) + " failed (" +
              to_string(f.reason) + "): " + f.message +
              "; more consecutive checkpoint failures than tolerated (" +
              std::to_string(core_.config().tolerable_failures) + ")");
    return;
  }
  maybe_trigger_savepoint();
  maybe_trigger_final();
  arm_tick();
}

void job_checkpointer::complete(const checkpoint_metadata& m) {
  const auto id = m.checkpoint_id;
  const auto target_dir = savepoint_dir(id);
  try {
    if (target_dir)
      write_metadata_file(*target_dir, m);
    else
      storage_->write_metadata(m);
  } catch (const checkpoint_error& e) {
    if (auto f = core_.abort(id, failure_reason::finalize_failed, e.what(), wall_clock_ms()))
      on_failure(*f);
    return;
  }
  const auto now = wall_clock_ms();
  auto stats = core_.complete(id, now);
  ++completed_;
  if (stops_for_rescale(id))
    retire_after_rescale_ = true;
  else if (!target_dir)
    retire_checkpoints();
  log()->info("[{}] {}", setup_.job_name, stats.to_string(now));
  setup_.status->add_completed_checkpoint(stats);
  if (after_next_checkpoint_ && !target_dir)
    std::exchange(after_next_checkpoint_, nullptr)(id);
  broadcast(checkpoint_ended_msg{id, true});
  if (final_id_ == id) {
    broadcast(close_subtask_atom::value);
  } else {
    on_savepoint_completed(id); // a savepoint's, or a rescale's stop
    maybe_trigger_savepoint();
    maybe_trigger_final();
  }
  arm_tick();
}

void job_checkpointer::retire_checkpoints() {
  try {
    storage_->apply_retention(core_.config().retained);
    // A failed checkpoint's directory outlives its discard when a subtask still wrote into it
    // (a slow writer, a full disk): removed with the next completed one.
    if (core_.pending_ids().empty())
      storage_->discard_incomplete();
  } catch (const checkpoint_error& e) {
    log()->warn("[{}] {}", setup_.job_name, e.what());
  }
}

void job_checkpointer::rescale_finished() {
  if (std::exchange(retire_after_rescale_, false))
    retire_checkpoints();
}

void job_checkpointer::arm_tick() {
  if (deployment_.ended)
    return;
  const auto now = wall_clock_ms();
  // Wakes only when there is something to do: the next periodic trigger, the earliest timeout
  // of a pending checkpoint, or a waiting savepoint. Every wake-up costs the running job
  // throughput (a scheduler thread polls for work for a while after each message).
  std::optional<std::int64_t> due = core_.next_trigger_ms();
  auto earliest = [&](std::int64_t t) { due = due ? std::min(*due, t) : t; };
  for (auto id : core_.pending_ids())
    earliest(core_.pending_stats(id)->trigger_ms + core_.config().timeout_ms);
  if (!waiting_savepoints_.empty())
    earliest(now + savepoint_tick_ms);
  if (!due)
    return;
  due = std::max(*due, now + 1);
  if (armed_tick_ms_ && *armed_tick_ms_ <= *due)
    return;
  armed_tick_ms_ = due;
  self_.delayed_send(&self_, std::chrono::milliseconds(*due - now), checkpoint_tick_atom::value,
                     *due);
}

void job_checkpointer::on_tick(std::int64_t due_ms) {
  if (deployment_.ended || armed_tick_ms_ != due_ms)
    return;
  armed_tick_ms_.reset();
  for (const auto& f : core_.check_timeouts(wall_clock_ms())) {
    on_failure(f);
    if (deployment_.ended)
      return;
  }
  maybe_trigger_savepoint();
  // Not while subtasks are being deployed (a rescale's or a restart's): a trigger sent to a
  // subtask not deployed yet is lost, and its checkpoint would wait for its timeout.
  if (!deployment_.restarting && deployment_.all_deployed() && finished_ < input_finished_.size() &&
      waiting_savepoints_.empty() && !stopping() && core_.should_trigger(wall_clock_ms()))
    trigger(false);
  maybe_trigger_final();
  arm_tick();
}

void job_checkpointer::on_ack(checkpoint_ack_msg& msg) {
  if (deployment_.ended)
    return;
  const auto& plan = *setup_.plan;
  const auto& vertex = plan.vertices().at(static_cast<std::size_t>(msg.vertex));
  auto start_delay_ms = msg.start_delay_ms;
  const auto* pending = core_.pending_stats(msg.checkpoint_id);
  if (pending && msg.first_barrier_ms > 0)
    start_delay_ms = std::max<std::int64_t>(0, msg.first_barrier_ms - pending->trigger_ms);
  subtask_ack_stats stats{msg.alignment_ms, start_delay_ms, msg.in_flight_bytes};
  for (int node : vertex.nodes) {
    const auto uid = operator_uid(plan.graph().node(node));
    subtask_state state;
    auto it = msg.states.find(uid);
    if (it != msg.states.end())
      state = subtask_state_from_text(it->second, msg.subtask, plan.max_parallelism());
    auto result = core_.acknowledge(msg.checkpoint_id, subtask_id{uid, msg.subtask},
                                    checkpoint_ack{std::move(state), stats}, wall_clock_ms());
    if (result.status == ack_status::all_acknowledged)
      complete(*result.metadata);
  }
}

void job_checkpointer::on_decline(const checkpoint_decline_msg& msg) {
  if (deployment_.ended)
    return;
  const auto& vertex = setup_.plan->vertices().at(static_cast<std::size_t>(msg.vertex));
  const auto uid = operator_uid(setup_.plan->graph().node(vertex.nodes.front()));
  if (auto f = core_.decline(msg.checkpoint_id, subtask_id{uid, msg.subtask}, msg.reason,
                             wall_clock_ms()))
    on_failure(*f);
}

void job_checkpointer::on_input_finished(const input_finished_msg& msg) {
  if (deployment_.ended || deployment_.restarting)
    return;
  const auto i = flat_subtask_index(*setup_.plan, msg.vertex, msg.subtask);
  if (input_finished_[i])
    return;
  input_finished_[i] = true;
  ++finished_;
  for (auto id : core_.pending_ids())
    self_.send(deployment_.subtasks[i],
               trigger_message(id, core_.pending_stats(id)->trigger_ms, msg.vertex));
  maybe_trigger_final();
}

void job_checkpointer::forget_finished_inputs() {
  input_finished_.assign(input_finished_.size(), false);
  finished_ = 0;
}

std::string job_checkpointer::restart() {
  for (const auto& f : core_.on_job_restart(wall_clock_ms()))
    discard(f.checkpoint_id);
  fail_savepoints("the job restarted before the savepoint completed", false);
  fail_waiting_rescale("the job restarted before its checkpoint was triggered");
  forget_finished_inputs();
  final_id_.reset();
  final_failed_ = false;
  if (stopped_for_rescale_)
    stopped_ = stopped_for_rescale_ = false; // the job runs again, as after the rescale
  const auto restore = restore_on_restart();
  if (const auto latest = core_.latest_completed_id())
    log()->warn("[{}] restoring checkpoint {} ({})", setup_.job_name, *latest, restore);
  else
    log()->warn("[{}] no checkpoint completed in this run: restarting from {}", setup_.job_name,
                restore.empty() ? std::string("scratch") : restore);
  return restore;
}

std::string job_checkpointer::restore_on_restart() const {
  if (const auto latest = core_.latest_completed_id())
    return (storage_->checkpoint_path(*latest) / "_metadata").string();
  return initial_restore_;
}

checkpoints_view job_checkpointer::view() const {
  return {&core_, stopping(), final_id_.has_value(), completed_, failed_};
}

} // namespace sluice
