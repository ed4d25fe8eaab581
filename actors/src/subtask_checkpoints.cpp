// The checkpoint side of a subtask actor: its subtask_checkpointer (barriers, snapshots,
// in-flight data) fed with the coordinator's messages; the files of a snapshot written by a
// helper actor that then acknowledges; the in-flight data of a restored unaligned checkpoint.

#include "subtask_actor.hpp"

#include "sluice/actors/checkpoint_ids.hpp"
#include "sluice/actors/in_flight_data.hpp"
#include "sluice/operators/core/logging.hpp"

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
  std::shared_ptr<const local_snapshot_store> local; ///< keeps a copy; null: none
  std::shared_ptr<const local_snapshot_store> handoff; ///< keeps a rescale's copy; null: none
  std::map<std::string, std::string> moves; ///< go into the rescale's copy (snapshot_ack::moves)
};

/// Writes the files, adds the in-flight data to the head operator's state, and acknowledges
/// (or declines) to the job manager.
void write_and_acknowledge(caf::event_based_actor* self, snapshot_job job) {
  try {
    auto states = job.write();
    if (job.local)
      job.local->keep(job.ack.checkpoint_id, states);
    if (job.handoff)
      job.handoff->keep(job.ack.checkpoint_id, states, job.moves);
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
  checkpointer_.emplace(*input_, *output_, *chain_, setup_.config->checkpointing,
                        job_id_of(setup_.job_name), static_cast<checkpoint_effects&>(*this));
}

void subtask_actor::acknowledge(snapshot_ack ack) {
  snapshot_job job{std::move(ack.write),
                   checkpoint_ack_msg{setup_.vertex, setup_.subtask, ack.checkpoint_id, {},
                                      ack.alignment_ms, ack.start_delay_ms, 0,
                                      ack.first_barrier_ms},
                   std::move(ack.in_flight),
                   std::move(ack.in_flight_output),
                   setup_.job_manager,
                   counters_.task,
                   chain_->head_uid(),
                   ack.savepoint ? nullptr : local_,
                   ack.handoff ? handoff_store() : nullptr,
                   std::move(ack.moves)};
  for (const auto& problem : ack.move_problems)
    log()->warn("{}: the key groups prepared for the rescale's successors are dropped (they "
                "copy them instead): {}",
                log_prefix_, problem);
  job.ack.in_flight_bytes = job.in_flight.size() + job.in_flight_output.size();
  // The job travels as a spawn argument: CAF 0.17 dereferences a null tuple for a function
  // actor spawned without arguments.
  spawn<caf::detached>(write_and_acknowledge, std::move(job));
}

void subtask_actor::init_local_recovery() {
  const auto& config = *setup_.config;
  if (!config.checkpointing.local_recovery || !config.checkpointing.enabled())
    return;
  local_ = std::make_shared<const local_snapshot_store>(config.state.state_dir, snapshot_owner());
}

local_snapshot_owner subtask_actor::snapshot_owner() const {
  const auto& plan = *setup_.plan;
  const auto& v = plan.vertices().at(static_cast<std::size_t>(setup_.vertex));
  local_snapshot_owner owner{job_id_of(setup_.job_name), setup_.vertex, setup_.subtask,
                             v.parallelism, plan.max_parallelism(), {}, counters_.task};
  for (int node : v.nodes)
    owner.uids.push_back(operator_uid(plan.graph().node(node)));
  return owner;
}

void subtask_actor::decline(std::int64_t id, const std::string& reason) {
  send(setup_.job_manager,
       checkpoint_decline_msg{setup_.vertex, setup_.subtask, id, reason + " at " + counters_.task});
}

void subtask_actor::arm_alignment_timeout(std::int64_t id, std::int64_t delay_ms) {
  delayed_send(this, std::chrono::milliseconds(delay_ms), alignment_timeout_atom::value, id);
}

void subtask_actor::on_trigger(const trigger_checkpoint_msg& msg) {
  if (checkpointer_)
    checkpointer_->on_trigger(
        {msg.checkpoint_id, msg.timestamp_ms, msg.target_dir, msg.stop, msg.drain, msg.full},
        input_finished(), now_ms());
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
    for (auto& b : read_in_flight(output->second, output_->channel_count(), "output"))
      output_->enqueue_batch(b.channel, std::move(b.bytes), b.records);
  if (input != blobs.end())
    for (const auto& b : read_in_flight(input->second, static_cast<int>(layout_.inputs.size()),
                                        "input")) {
      const auto& peer = layout_.inputs[static_cast<std::size_t>(b.channel)];
      counters_.records_in.add(
          chain_->process_batch(b.bytes.data(), b.bytes.size(), peer.timestamped, peer.input));
    }
}

void subtask_actor::on_checkpoint_ended(const checkpoint_ended_msg& msg) {
  if (!checkpointer_)
    return;
  if (local_ && msg.completed)
    local_->completed(msg.checkpoint_id);
  else if (local_)
    local_->aborted(msg.checkpoint_id);
  if (checkpointer_->on_checkpoint_ended(msg.checkpoint_id, msg.completed, now_ms())) {
    // The stop with savepoint failed: the job goes on.
    if (chain_->source())
      schedule_source_step();
    fire_processing_timers();
  }
  if (!msg.completed)
    process_input();
}

} // namespace sluice
