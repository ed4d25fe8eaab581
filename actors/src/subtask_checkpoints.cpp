// The checkpoint side of a subtask: barrier alignment over its input channels, snapshots (the
// synchronous part on the subtask's thread, the files written by a helper actor that then
// acknowledges), triggers at sources and at subtasks whose input finished, and the job
// manager's completion and abort notices.

#include "subtask_actor.hpp"

#include "sluice/actors/checkpoint_names.hpp"
#include "sluice/operators/logging.hpp"

namespace sluice {

void subtask_actor::init_checkpointing() {
  const auto& config = setup_.config->checkpointing;
  storage_.emplace(config.checkpoint_dir, job_id_of(setup_.job_name));
  if (input_.channel_count() > 0)
    aligner_.emplace(input_.channel_count(), config);
}

void subtask_actor::on_trigger(const trigger_checkpoint_msg& msg) {
  if (msg.checkpoint_id <= last_snapshot_id_ || !chain_)
    return;
  auto delay = std::max<std::int64_t>(0, now_ms() - msg.timestamp_ms);
  if (input_finished_)
    take_snapshot(msg.checkpoint_id, 0, delay, false); // nothing flows downstream any more
  else if (chain_->source())
    take_snapshot(msg.checkpoint_id, 0, delay, true);
}

void subtask_actor::apply(const barrier_actions& actions) {
  for (const auto& a : actions) {
    switch (a.what) {
      case barrier_action::kind::trigger_snapshot:
        take_snapshot(a.checkpoint_id, a.alignment_ms, 0, true);
        break;
      case barrier_action::kind::unblock_all:
        input_.unblock_all();
        break;
      case barrier_action::kind::abort_checkpoint:
        if (a.cause == barrier_action::abort_cause::newer_barrier)
          send(setup_.job_manager,
               checkpoint_decline_msg{setup_.vertex, setup_.subtask, a.checkpoint_id,
                                      "a barrier of a newer checkpoint arrived at " +
                                          counters_.task});
        break;
      case barrier_action::kind::in_flight_complete:
        break;
    }
  }
  for (int ch = 0; ch < input_.channel_count(); ++ch)
    if (aligner_->is_blocked(ch))
      input_.block(ch);
}

void subtask_actor::take_snapshot(std::int64_t id, std::int64_t alignment_ms,
                                  std::int64_t start_delay_ms, bool emit_barrier) {
  last_snapshot_id_ = id;
  auto write = chain_->snapshot(id, storage_->checkpoint_path(id));
  if (emit_barrier)
    output_.emit_event(event_kind::barrier, id);
  checkpoint_ack_msg ack{setup_.vertex, setup_.subtask, id, {}, alignment_ms, start_delay_ms, 0};
  checkpoint_decline_msg decline{setup_.vertex, setup_.subtask, id, {}};
  auto job_manager = setup_.job_manager;
  auto task = counters_.task;
  spawn<caf::detached>([=](caf::event_based_actor* self) mutable {
    try {
      for (const auto& [uid, state] : write())
        ack.states[uid] = subtask_state_to_text(state, ack.subtask);
      self->send(job_manager, std::move(ack));
    } catch (const std::exception& e) {
      decline.reason = "writing the snapshot of " + task + " failed: " + e.what();
      self->send(job_manager, std::move(decline));
    }
  });
}

void subtask_actor::on_checkpoint_ended(const checkpoint_ended_msg& msg) {
  if (!chain_)
    return;
  if (msg.completed) {
    chain_->notify_checkpoint_complete(msg.checkpoint_id);
    return;
  }
  if (aligner_)
    apply(aligner_->abort(msg.checkpoint_id));
  chain_->notify_checkpoint_aborted(msg.checkpoint_id);
  process_input();
}

} // namespace sluice
