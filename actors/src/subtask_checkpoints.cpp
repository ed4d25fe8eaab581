// The checkpoint side of a subtask: barrier alignment over its input channels, snapshots (the
// synchronous part on the subtask's thread, the files written by a helper actor that then
// acknowledges), unaligned snapshots with their in-flight data, triggers at sources and at
// subtasks whose input finished, and the job manager's completion and abort notices.

#include "subtask_actor.hpp"

#include "sluice/actors/checkpoint_names.hpp"
#include "sluice/actors/in_flight_data.hpp"

#include <stdexcept>

namespace sluice {

namespace {

/// The asynchronous part of a snapshot, for a helper actor.
struct snapshot_job {
  operator_chain::snapshot_writer write;
  checkpoint_ack_msg ack;
  std::string in_flight;
  std::string in_flight_output;
  caf::actor job_manager;
  std::string task;
  std::string head_uid;
};

/// Writes the files, adds the in-flight data to the head operator's state, and acknowledges
/// (or declines) to the job manager.
void write_and_acknowledge(caf::event_based_actor* self, snapshot_job job) {
  try {
    auto states = job.write();
    if (!job.in_flight.empty())
      states[job.head_uid].blobs[in_flight_blob] = std::move(job.in_flight);
    if (!job.in_flight_output.empty())
      states[job.head_uid].blobs[in_flight_output_blob] = std::move(job.in_flight_output);
    for (const auto& [uid, state] : states)
      job.ack.states[uid] = subtask_state_to_text(state, job.ack.subtask);
    self->send(job.job_manager, std::move(job.ack));
  } catch (const std::exception& e) {
    self->send(job.job_manager,
               checkpoint_decline_msg{job.ack.vertex, job.ack.subtask, job.ack.checkpoint_id,
                                      "writing the snapshot of " + job.task +
                                          " failed: " + e.what()});
  }
}

} // namespace

void subtask_actor::init_checkpointing() {
  auto config = setup_.config->checkpointing;
  if (!config.checkpoint_dir.empty())
    storage_.emplace(config.checkpoint_dir, job_id_of(setup_.job_name));
  if (!config.enabled()) {
    config.unaligned = false;
    config.aligned_timeout_ms = 0;
  }
  unaligned_barriers_ = config.unaligned;
  if (input_.channel_count() > 0) {
    aligner_.emplace(input_.channel_count(), config);
    unaligned_ = config.unaligned;
    barriers_on_arrival_ = config.unaligned && config.aligned_timeout_ms == 0;
  }
}

bool subtask_actor::takes_barrier_on_arrival(int channel, std::int64_t id) const {
  return barriers_on_arrival_ ||
         (aligner_->current_checkpoint() == id && aligner_->records_in_flight(channel));
}

void subtask_actor::announce_barrier(std::int64_t id) {
  if (!unaligned_ || barriers_on_arrival_ || alignment_timer_id_ >= id)
    return;
  const auto now = now_ms();
  aligner_->on_barrier_announced(id, now);
  const auto deadline = aligner_->alignment_deadline_ms();
  if (deadline && aligner_->current_checkpoint() == id) {
    alignment_timer_id_ = id;
    delayed_send(this, std::chrono::milliseconds(std::max<std::int64_t>(0, *deadline - now)),
                 alignment_timeout_atom::value, id);
  }
}

void subtask_actor::take_queued_barriers(std::int64_t id) {
  for (int ch = 0; ch < input_.channel_count(); ++ch)
    if (input_.remove_barrier(ch, id))
      apply(aligner_->on_barrier(ch, id, now_ms()));
}

void subtask_actor::on_trigger(const trigger_checkpoint_msg& msg) {
  if (msg.checkpoint_id <= last_snapshot_id_ || !chain_)
    return;
  if (!msg.target_dir.empty())
    savepoints_[msg.checkpoint_id] = {msg.target_dir, msg.stop};
  auto delay = std::max<std::int64_t>(0, now_ms() - msg.timestamp_ms);
  if (input_finished_) {
    // Aligned, nothing may follow the end of input. Unaligned, the barrier still goes out (a
    // receiver takes it on arrival unless it has taken the end of input already).
    take_snapshot(msg.checkpoint_id, 0, delay, 0, unaligned_barriers_);
  } else if (chain_->source()) {
    if (msg.stop && msg.drain)
      chain_->process_watermark(max_watermark); // every event-time window and timer fires
    take_snapshot(msg.checkpoint_id, 0, delay, 0, true);
  }
}

std::filesystem::path subtask_actor::snapshot_dir(std::int64_t id) const {
  auto it = savepoints_.find(id);
  if (it != savepoints_.end())
    return it->second.dir;
  if (!storage_)
    throw std::logic_error("checkpoint " + std::to_string(id) +
                           " has no directory: no --checkpoint-dir and not a savepoint");
  return storage_->checkpoint_path(id);
}

void subtask_actor::stop_if_savepoint_stops(std::int64_t id) {
  auto it = savepoints_.find(id);
  if (it != savepoints_.end() && it->second.stop)
    stopped_ = true;
}

void subtask_actor::resume() {
  stopped_ = false;
  if (chain_->source())
    schedule_source_step();
  chain_->on_processing_time(now_ms());
}

void subtask_actor::apply(const barrier_actions& actions) {
  for (const auto& a : actions) {
    switch (a.what) {
      case barrier_action::kind::trigger_snapshot:
        if (a.unaligned)
          take_unaligned_snapshot(a.checkpoint_id, a.alignment_ms, a.first_barrier_ms);
        else
          take_snapshot(a.checkpoint_id, a.alignment_ms, 0, a.first_barrier_ms, true);
        break;
      case barrier_action::kind::unblock_all:
        input_.unblock_all();
        break;
      case barrier_action::kind::abort_checkpoint:
        if (capture_ && capture_->id == a.checkpoint_id)
          capture_.reset();
        if (a.cause == barrier_action::abort_cause::newer_barrier)
          send(setup_.job_manager,
               checkpoint_decline_msg{setup_.vertex, setup_.subtask, a.checkpoint_id,
                                      "a barrier of a newer checkpoint arrived at " +
                                          counters_.task});
        break;
      case barrier_action::kind::in_flight_complete:
        if (capture_ && capture_->id == a.checkpoint_id) {
          auto c = std::move(*capture_);
          capture_.reset();
          write_snapshot(std::move(c.write), std::move(c.ack), std::move(c.data),
                         std::move(c.output));
        }
        break;
    }
  }
  for (int ch = 0; ch < input_.channel_count(); ++ch)
    if (aligner_->is_blocked(ch))
      input_.block(ch);
}

void subtask_actor::take_snapshot(std::int64_t id, std::int64_t alignment_ms,
                                  std::int64_t start_delay_ms, std::int64_t first_barrier_ms,
                                  bool emit_barrier) {
  last_snapshot_id_ = id;
  auto write = chain_->snapshot(id, snapshot_dir(id));
  std::string overtaken;
  if (emit_barrier)
    this->emit_barrier(id, overtaken);
  stop_if_savepoint_stops(id);
  write_snapshot(std::move(write),
                 checkpoint_ack_msg{setup_.vertex, setup_.subtask, id, {}, alignment_ms,
                                    start_delay_ms, 0, first_barrier_ms},
                 {}, std::move(overtaken));
}

void subtask_actor::emit_barrier(std::int64_t id, std::string& overtaken) {
  if (!unaligned_barriers_) {
    output_.emit_event(event_kind::barrier, id);
    return;
  }
  output_.emit_event_overtaking(
      event_kind::barrier, id,
      [&](int ch, const std::vector<char>& bytes, std::uint32_t records) {
        append_in_flight(overtaken, ch, records, bytes.data(), bytes.size());
      });
}

void subtask_actor::take_unaligned_snapshot(std::int64_t id, std::int64_t alignment_ms,
                                            std::int64_t first_barrier_ms) {
  last_snapshot_id_ = id;
  capture_ = in_flight_capture{
      id, chain_->snapshot(id, snapshot_dir(id)),
      checkpoint_ack_msg{setup_.vertex, setup_.subtask, id, {}, alignment_ms, 0, 0,
                         first_barrier_ms},
      {}, {}};
  input_.for_each_batch_before_barrier(id, [&](const input_item& item) {
    append_in_flight(capture_->data, item.channel, item.records, item.bytes.data(),
                     item.bytes.size());
  });
  emit_barrier(id, capture_->output);
  stop_if_savepoint_stops(id);
  take_queued_barriers(id);
}

void subtask_actor::write_snapshot(operator_chain::snapshot_writer write, checkpoint_ack_msg ack,
                                   std::string in_flight, std::string in_flight_output) {
  snapshot_job job{std::move(write), std::move(ack), std::move(in_flight),
                   std::move(in_flight_output), setup_.job_manager, counters_.task,
                   chain_->head_uid()};
  job.ack.in_flight_bytes = job.in_flight.size() + job.in_flight_output.size();
  // The job travels as a spawn argument: CAF 0.17 dereferences a null tuple for a function
  // actor spawned without arguments.
  spawn<caf::detached>(write_and_acknowledge, std::move(job));
}

void subtask_actor::replay_in_flight(const checkpoint_metadata& restored) {
  auto op = restored.operators.find(chain_->head_uid());
  if (op == restored.operators.end())
    return;
  auto state = op->second.subtasks.find(setup_.subtask);
  if (state == op->second.subtasks.end())
    return;
  const auto& blobs = state->second.blobs;
  auto input = blobs.find(in_flight_blob);
  auto output = blobs.find(in_flight_output_blob);
  if (input == blobs.end() && output == blobs.end())
    return;
  const auto& v = setup_.plan->vertices().at(static_cast<std::size_t>(setup_.vertex));
  if (op->second.parallelism != v.parallelism)
    throw std::runtime_error("the in-flight data of an unaligned checkpoint cannot be restored "
                             "at another parallelism (" +
                             std::to_string(op->second.parallelism) + " -> " +
                             std::to_string(v.parallelism) + ")");
  // What was produced before the checkpoint goes out first, then what its input produces.
  if (output != blobs.end())
    for (auto& b : read_in_flight(output->second, output_.channel_count(), "output"))
      output_.enqueue_batch(b.channel, std::move(b.bytes), b.records);
  if (input != blobs.end())
    for (const auto& b : read_in_flight(input->second, static_cast<int>(layout_.inputs.size()),
                                        "input")) {
      const auto& peer = layout_.inputs[static_cast<std::size_t>(b.channel)];
      counters_.records_in.add(
          chain_->process_batch(b.bytes.data(), b.bytes.size(), peer.timestamped, peer.input));
    }
}

void subtask_actor::on_checkpoint_ended(const checkpoint_ended_msg& msg) {
  if (!chain_)
    return;
  auto savepoint = savepoints_.find(msg.checkpoint_id);
  const bool stopping = savepoint != savepoints_.end() && savepoint->second.stop;
  if (savepoint != savepoints_.end())
    savepoints_.erase(savepoint);
  if (msg.completed) {
    chain_->notify_checkpoint_complete(msg.checkpoint_id);
    return;
  }
  if (capture_ && capture_->id == msg.checkpoint_id)
    capture_.reset();
  if (aligner_)
    apply(aligner_->abort(msg.checkpoint_id));
  chain_->notify_checkpoint_aborted(msg.checkpoint_id);
  if (stopping && stopped_)
    resume();
  process_input();
}

} // namespace sluice
