#pragma once
// The checkpoint side of one subtask (Flink's SubtaskCheckpointCoordinator), with no CAF: barrier
// alignment over the input gate (aligned, at-least-once, unaligned, and the aligned timeout's
// switch to unaligned), the synchronous snapshot of the operator chain, the barrier it emits on
// the output gate, the in-flight data of unaligned snapshots, and savepoints that stop the job.
// What leaves the subtask (an acknowledgement, a decline, a timer) goes through
// checkpoint_effects, which the subtask actor implements with messages. Time is passed in.

#include "sluice/actors/input_gate.hpp"
#include "sluice/actors/operator_chain.hpp"
#include "sluice/actors/output_gate.hpp"
#include "sluice/checkpoint/barrier_aligner.hpp"
#include "sluice/checkpoint/checkpoint_config.hpp"
#include "sluice/checkpoint/checkpoint_storage.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice {

/// A snapshot taken: its files still to write (off the subtask's thread), then acknowledged.
struct snapshot_ack {
  std::int64_t checkpoint_id = 0;
  operator_chain::snapshot_writer write;
  std::int64_t alignment_ms = 0;
  std::int64_t start_delay_ms = 0;   ///< sources and subtasks whose input finished
  std::int64_t first_barrier_ms = 0; ///< 0 without barriers
  std::string in_flight;             ///< unaligned: input before the barriers (in_flight_data)
  std::string in_flight_output;      ///< unaligned: output the barrier overtook
  bool savepoint = false;            ///< a savepoint's snapshot, not a checkpoint's
  /// A rescale's stop at a subtask it replaces: its successors restore a copy of the snapshot
  /// kept by its task manager (state_handoff.hpp).
  bool handoff = false;
  /// With handoff: by operator uid, the key groups it prepared for its successors
  /// (operator_chain::finish_handoff), and why an operator's could not be completed.
  std::map<std::string, std::string> moves{};
  std::vector<std::string> move_problems{};
};

/// A checkpoint or savepoint the coordinator triggers (at sources, and at finished subtasks).
struct checkpoint_trigger {
  std::int64_t checkpoint_id = 0;
  std::int64_t timestamp_ms = 0; ///< when the coordinator triggered it
  std::filesystem::path target_dir; ///< a savepoint's directory; empty for the job's chk-N
  /// Stop with savepoint, or a rescale's checkpoint: nothing is emitted after the barrier.
  bool stop = false;
  bool drain = false; ///< with stop: sources emit the maximum watermark first
  /// A full snapshot even with incremental checkpoints (trigger_checkpoint_msg::full).
  bool full = false;
};

/// What a subtask_checkpointer asks of its subtask.
class checkpoint_effects {
public:
  virtual ~checkpoint_effects() = default;
  /// Writes the snapshot's files (off the subtask's thread), then acknowledges or declines it.
  virtual void acknowledge(snapshot_ack ack) = 0;
  /// Declines checkpoint `id` to the coordinator.
  virtual void decline(std::int64_t id, const std::string& reason) = 0;
  /// Calls on_alignment_timeout(id, ...) in `delay_ms`.
  virtual void arm_alignment_timeout(std::int64_t id, std::int64_t delay_ms) = 0;
};

class subtask_checkpointer {
public:
  /// How barriers travel (from the checkpoint configuration; aligned with checkpointing off,
  /// for savepoints).
  enum class barrier_mode {
    aligned,       ///< queued behind the input; exactly-once blocks, at-least-once does not
    aligned_first, ///< aligned until the aligned timeout, then they overtake as unaligned
    unaligned      ///< taken on arrival, ahead of the queued input; overtake the output
  };
  /// Whether the subtask emits anything (a stop with savepoint stops it once snapshotted).
  enum class emission { running, stopped_for_savepoint };

  /// Checkpoints go under `<checkpoint_dir>/<job_id>/` (with a checkpoint directory).
  subtask_checkpointer(input_gate& input, output_gate& output, operator_chain& chain,
                       const checkpoint_config& config, const std::string& job_id,
                       checkpoint_effects& effects);

  // -- input, as it arrives and as it is taken -----------------------------------------------

  /// A batch arrived on `channel` (before the input gate queues it): captured while it is
  /// in-flight data of an unaligned snapshot.
  void on_batch_arrived(int channel, const std::vector<char>& bytes, std::uint32_t records) {
    if (capture_)
      capture_arrived(channel, bytes, records);
  }
  /// Barrier `id` arrived on `channel`: taken at once, ahead of the queued input (unaligned, or
  /// switched to unaligned), or queued on the input gate.
  void on_barrier_arrived(int channel, std::int64_t id, std::int64_t now_ms);
  /// Barrier `id` was taken from the input gate's queue of `channel`.
  void on_barrier_taken(int channel, std::int64_t id, std::int64_t now_ms);
  /// The end of input of `channel` was taken.
  void on_end_of_partition(int channel, std::int64_t now_ms);
  /// The aligned timeout armed for checkpoint `id` expired.
  void on_alignment_timeout(std::int64_t id, std::int64_t now_ms);

  // -- the coordinator -----------------------------------------------------------------------

  /// A source snapshots and emits the barrier; a subtask whose input finished only snapshots.
  /// Others ignore it.
  void on_trigger(const checkpoint_trigger& trigger, bool input_finished, std::int64_t now_ms);
  /// Checkpoint `id` completed or was aborted; returns true if that undid a stop with savepoint
  /// (the subtask emits again).
  bool on_checkpoint_ended(std::int64_t id, bool completed, std::int64_t now_ms);

  /// Input is processed one batch per step, so that barriers arriving meanwhile overtake it.
  bool paces_input() const { return mode_ != barrier_mode::aligned && aligner_.has_value(); }
  emission state() const { return emission_; }
  barrier_mode mode() const { return mode_; }

private:
  /// The savepoints in progress (by id): their directories, and whether they stop the job; and
  /// the checkpoints that stop it (a rescale's: no directory of their own).
  struct savepoint_target {
    std::filesystem::path dir;
    bool stop = false;
    bool full = false; ///< a rescale's stop at a subtask it replaces: no shared files
  };

  /// Whether `id` is a savepoint (it has a directory of its own).
  bool is_savepoint(std::int64_t id) const;
  void capture_arrived(int channel, const std::vector<char>& bytes, std::uint32_t records);
  /// Barrier `id` was queued behind input (aligned with an aligned timeout): starts its
  /// alignment clock and the timer for the switch to unaligned.
  void announce_barrier(std::int64_t id, std::int64_t now_ms);
  /// Once checkpoint `id` switched to unaligned: its barriers still queued overtake the input.
  void take_queued_barriers(std::int64_t id, std::int64_t now_ms);
  /// Carries out what the barrier aligner decided, then blocks the channels it blocks.
  void apply(const barrier_actions& actions, std::int64_t now_ms);
  /// Snapshots the chain for checkpoint ack.checkpoint_id into `ack`.
  void snapshot_chain(snapshot_ack& ack);
  /// Takes checkpoint `id` and acknowledges it, after emitting barrier `id` if `emit_barrier`.
  void take_snapshot(snapshot_ack ack, bool emit_barrier);
  /// Unaligned: snapshots at the first barrier, emits it, and captures the queued batches and
  /// those arriving on a channel before its barrier; acknowledged once all barriers are in.
  void take_unaligned_snapshot(snapshot_ack ack, std::int64_t now_ms);
  /// Emits barrier `id`; unaligned, ahead of the output waiting for credit, which is appended
  /// to `overtaken`.
  void emit_barrier(std::int64_t id, std::string& overtaken);
  std::filesystem::path snapshot_dir(std::int64_t id) const;
  /// Where keyed backends put the files incremental checkpoints share: the job's shared/ for a
  /// checkpoint with --incremental-checkpoints, empty (a full snapshot) for a savepoint.
  std::filesystem::path shared_dir(std::int64_t id) const;
  void stop_if_savepoint_stops(std::int64_t id);

  input_gate& input_;
  output_gate& output_;
  operator_chain& chain_;
  checkpoint_effects& effects_;
  barrier_mode mode_;
  bool incremental_;
  std::optional<barrier_aligner> aligner_; ///< over the input channels (none at sources)
  std::optional<checkpoint_storage> storage_; ///< with --checkpoint-dir
  std::map<std::int64_t, savepoint_target> savepoints_;
  emission emission_ = emission::running;
  std::int64_t last_snapshot_id_ = 0;
  std::int64_t alignment_timer_id_ = 0; ///< the checkpoint whose aligned timeout is armed
  std::optional<snapshot_ack> capture_; ///< the unaligned snapshot capturing in-flight data
};

} // namespace sluice
