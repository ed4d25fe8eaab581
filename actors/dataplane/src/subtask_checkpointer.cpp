#include "sluice/actors/subtask_checkpointer.hpp"

#include "sluice/actors/in_flight_data.hpp"
#include "sluice/operators/time/watermark.hpp"

#include <algorithm>
#include <stdexcept>

namespace sluice {

namespace {

/// The barrier mode of `config`; savepoints of a job with checkpointing off are aligned.
subtask_checkpointer::barrier_mode mode_of(const checkpoint_config& config) {
  if (!config.enabled() || !config.unaligned)
    return subtask_checkpointer::barrier_mode::aligned;
  return config.aligned_timeout_ms > 0 ? subtask_checkpointer::barrier_mode::aligned_first
                                       : subtask_checkpointer::barrier_mode::unaligned;
}

} // namespace

subtask_checkpointer::subtask_checkpointer(input_gate& input, output_gate& output,
                                           operator_chain& chain,
                                           const checkpoint_config& config,
                                           const std::string& job_id,
                                           checkpoint_effects& effects)
    : input_(input), output_(output), chain_(chain), effects_(effects), mode_(mode_of(config)),
      incremental_(config.incremental) {
  if (!config.checkpoint_dir.empty())
    storage_.emplace(config.checkpoint_dir, job_id);
  if (input_.channel_count() == 0)
    return;
  auto aligner_config = config;
  if (!config.enabled()) {
    aligner_config.unaligned = false;
    aligner_config.aligned_timeout_ms = 0;
  }
  aligner_.emplace(input_.channel_count(), aligner_config);
}

void subtask_checkpointer::capture_arrived(int channel, const std::vector<char>& bytes,
                                           std::uint32_t records) {
  if (aligner_->records_in_flight(channel))
    append_in_flight(capture_->in_flight, channel, records, bytes.data(), bytes.size());
}

void subtask_checkpointer::on_barrier_arrived(int channel, std::int64_t id, std::int64_t now_ms) {
  const bool overtakes =
      (mode_ == barrier_mode::unaligned && !savepoints_.count(id)) ||
      (aligner_->current_checkpoint() == id && aligner_->records_in_flight(channel));
  if (!overtakes) {
    input_.on_event(channel, event_kind::barrier, id);
    announce_barrier(id, now_ms);
  } else if (!input_.ended(channel)) {
    apply(aligner_->on_barrier(channel, id, now_ms), now_ms);
  }
}

void subtask_checkpointer::on_barrier_taken(int channel, std::int64_t id, std::int64_t now_ms) {
  apply(aligner_->on_barrier(channel, id, now_ms), now_ms);
}

void subtask_checkpointer::on_end_of_partition(int channel, std::int64_t now_ms) {
  if (aligner_)
    apply(aligner_->on_end_of_partition(channel, now_ms), now_ms);
}

void subtask_checkpointer::on_alignment_timeout(std::int64_t id, std::int64_t now_ms) {
  if (aligner_->current_checkpoint() == id)
    apply(aligner_->poll(now_ms), now_ms);
}

void subtask_checkpointer::announce_barrier(std::int64_t id, std::int64_t now_ms) {
  if (mode_ != barrier_mode::aligned_first || alignment_timer_id_ >= id)
    return;
  aligner_->on_barrier_announced(id, now_ms);
  const auto deadline = aligner_->alignment_deadline_ms();
  if (deadline && aligner_->current_checkpoint() == id) {
    alignment_timer_id_ = id;
    effects_.arm_alignment_timeout(id, std::max<std::int64_t>(0, *deadline - now_ms));
  }
}

void subtask_checkpointer::take_queued_barriers(std::int64_t id, std::int64_t now_ms) {
  for (int ch = 0; ch < input_.channel_count(); ++ch)
    if (input_.remove_barrier(ch, id))
      apply(aligner_->on_barrier(ch, id, now_ms), now_ms);
}

void subtask_checkpointer::on_trigger(const checkpoint_trigger& trigger, bool input_finished,
                                      std::int64_t now_ms) {
  const auto id = trigger.checkpoint_id;
  if (id <= last_snapshot_id_)
    return;
  if (!trigger.target_dir.empty() || trigger.stop) {
    savepoints_[id] = {trigger.target_dir, trigger.stop, trigger.full};
    if (aligner_) // told before any of its barriers arrives
      aligner_->align(id);
  }
  snapshot_ack ack;
  ack.checkpoint_id = id;
  ack.start_delay_ms = std::max<std::int64_t>(0, now_ms - trigger.timestamp_ms);
  if (input_finished) {
    // Aligned, nothing may follow the end of input. Unaligned, the barrier still goes out (a
    // receiver takes it on arrival unless it has taken the end of input already).
    take_snapshot(std::move(ack), mode_ != barrier_mode::aligned);
  } else if (chain_.source()) {
    if (trigger.stop && trigger.drain)
      chain_.process_watermark(max_watermark); // every event-time window and timer fires
    take_snapshot(std::move(ack), true);
  }
}

std::filesystem::path subtask_checkpointer::snapshot_dir(std::int64_t id) const {
  if (is_savepoint(id))
    return savepoints_.at(id).dir;
  if (!storage_)
    throw std::logic_error("checkpoint " + std::to_string(id) +
                           " has no directory: no --checkpoint-dir and not a savepoint");
  return storage_->checkpoint_path(id);
}

std::filesystem::path subtask_checkpointer::shared_dir(std::int64_t id) const {
  const auto target = savepoints_.find(id);
  if (!incremental_ || is_savepoint(id) || !storage_ ||
      (target != savepoints_.end() && target->second.full))
    return {};
  return storage_->shared_dir();
}

bool subtask_checkpointer::is_savepoint(std::int64_t id) const {
  auto it = savepoints_.find(id);
  return it != savepoints_.end() && !it->second.dir.empty();
}

void subtask_checkpointer::stop_if_savepoint_stops(std::int64_t id) {
  auto it = savepoints_.find(id);
  if (it != savepoints_.end() && it->second.stop)
    emission_ = emission::stopped_for_savepoint;
}

void subtask_checkpointer::apply(const barrier_actions& actions, std::int64_t now_ms) {
  for (const auto& a : actions) {
    switch (a.what) {
      case barrier_action::kind::trigger_snapshot: {
        snapshot_ack ack;
        ack.checkpoint_id = a.checkpoint_id;
        ack.alignment_ms = a.alignment_ms;
        ack.first_barrier_ms = a.first_barrier_ms;
        if (a.unaligned)
          take_unaligned_snapshot(std::move(ack), now_ms);
        else
          take_snapshot(std::move(ack), true);
        break;
      }
      case barrier_action::kind::unblock_all:
        input_.unblock_all();
        break;
      case barrier_action::kind::abort_checkpoint:
        if (capture_ && capture_->checkpoint_id == a.checkpoint_id)
          capture_.reset();
        if (a.cause == barrier_action::abort_cause::newer_barrier)
          effects_.decline(a.checkpoint_id, "a barrier of a newer checkpoint arrived");
        break;
      case barrier_action::kind::in_flight_complete:
        if (capture_ && capture_->checkpoint_id == a.checkpoint_id) {
          auto ack = std::move(*capture_);
          capture_.reset();
          effects_.acknowledge(std::move(ack));
        }
        break;
    }
  }
  for (int ch = 0; ch < input_.channel_count(); ++ch)
    if (aligner_->is_blocked(ch))
      input_.block(ch);
}

void subtask_checkpointer::snapshot_chain(snapshot_ack& ack) {
  const auto id = ack.checkpoint_id;
  last_snapshot_id_ = id;
  ack.write = chain_.snapshot(id, snapshot_dir(id), shared_dir(id));
  ack.savepoint = is_savepoint(id);
  const auto target = savepoints_.find(id);
  ack.handoff = target != savepoints_.end() && target->second.full;
  if (ack.handoff)
    ack.moves = chain_.finish_handoff(ack.move_problems);
}

void subtask_checkpointer::take_snapshot(snapshot_ack ack, bool emit_barrier) {
  const auto id = ack.checkpoint_id;
  snapshot_chain(ack);
  if (emit_barrier)
    this->emit_barrier(id, ack.in_flight_output);
  stop_if_savepoint_stops(id);
  effects_.acknowledge(std::move(ack));
}

void subtask_checkpointer::emit_barrier(std::int64_t id, std::string& overtaken) {
  if (mode_ == barrier_mode::aligned || savepoints_.count(id)) {
    output_.emit_event(event_kind::barrier, id);
    return;
  }
  output_.emit_event_overtaking(
      event_kind::barrier, id,
      [&](int ch, const std::vector<char>& bytes, std::uint32_t records) {
        append_in_flight(overtaken, ch, records, bytes.data(), bytes.size());
      });
}

void subtask_checkpointer::take_unaligned_snapshot(snapshot_ack ack, std::int64_t now_ms) {
  const auto id = ack.checkpoint_id;
  snapshot_chain(ack);
  capture_ = std::move(ack);
  input_.for_each_batch_before_barrier(id, [&](const input_item& item) {
    append_in_flight(capture_->in_flight, item.channel, item.records, item.bytes.data(),
                     item.bytes.size());
  });
  emit_barrier(id, capture_->in_flight_output);
  stop_if_savepoint_stops(id);
  take_queued_barriers(id, now_ms);
}

bool subtask_checkpointer::on_checkpoint_ended(std::int64_t id, bool completed,
                                               std::int64_t now_ms) {
  auto savepoint = savepoints_.find(id);
  const bool stopping = savepoint != savepoints_.end() && savepoint->second.stop;
  if (!completed && savepoint != savepoints_.end() && savepoint->second.full)
    chain_.cancel_handoff(); // the rescale failed: this subtask stays, and goes on
  if (savepoint != savepoints_.end())
    savepoints_.erase(savepoint);
  if (completed) {
    chain_.notify_checkpoint_complete(id);
    return false;
  }
  if (capture_ && capture_->checkpoint_id == id)
    capture_.reset();
  if (aligner_)
    apply(aligner_->abort(id), now_ms);
  chain_.notify_checkpoint_aborted(id);
  if (!stopping || emission_ != emission::stopped_for_savepoint)
    return false;
  emission_ = emission::running;
  return true;
}

} // namespace sluice
