#pragma once
// The checkpoint-barrier decisions of one subtask's input gate with C input channels, as pure
// logic (the gate feeds it events and carries out the actions it returns; time is passed in).
//
// - Exactly-once, aligned: a channel that delivered barrier N is blocked (its input waits)
//   until every channel that has not finished delivered N; then: trigger the snapshot of N,
//   unblock all.
// - At-least-once: nothing blocks; the snapshot is triggered when the last barrier of N arrives.
// - Unaligned: the first barrier triggers the snapshot at once; until barrier N arrives on
//   another channel, what that channel delivers is in-flight data the snapshot must store
//   (records_in_flight). When all barriers are in: in_flight_complete.
// - Unaligned with an aligned timeout T > 0: aligned first; an event at more than T ms after
//   the first barrier switches the checkpoint to unaligned (trigger, unblock all).
// - A barrier of a newer checkpoint aborts the one in progress (Flink's behaviour); so does
//   abort() from the coordinator. Barriers of aborted or older checkpoints are ignored.
// - A finished channel (end of partition) never holds up a checkpoint.

#include "sluice/checkpoint/checkpoint_config.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

namespace sluice {

/// What the gate must do.
struct barrier_action {
  enum class kind {
    trigger_snapshot,  ///< snapshot checkpoint_id now (then forward the barrier, acknowledge)
    unblock_all,       ///< resume every blocked channel (drain their queues first)
    abort_checkpoint,  ///< give up checkpoint_id (see cause)
    in_flight_complete ///< every in-flight record of checkpoint_id has been reported
  };
  /// Why a checkpoint is aborted.
  enum class abort_cause {
    newer_barrier, ///< a barrier of a newer checkpoint arrived: decline it to the coordinator
    coordinator    ///< the coordinator aborted it
  };

  kind what = kind::trigger_snapshot;
  std::int64_t checkpoint_id = 0;
  // trigger_snapshot:
  bool unaligned = false; ///< in-flight data belongs to the snapshot
  /// Unaligned: the channels whose queued and arriving input before their barrier is in-flight
  /// data of the snapshot, ascending.
  std::vector<int> in_flight_channels;
  std::int64_t first_barrier_ms = 0; ///< when the first barrier arrived (for the start delay)
  std::int64_t alignment_ms = 0;     ///< first barrier to trigger
  // abort_checkpoint:
  abort_cause cause = abort_cause::newer_barrier;

  friend bool operator==(const barrier_action& a, const barrier_action& b);
};

using barrier_actions = std::vector<barrier_action>;

class barrier_aligner {
public:
  /// Throws std::invalid_argument unless channels >= 1.
  barrier_aligner(int channels, checkpointing_mode mode, bool unaligned,
                  std::int64_t aligned_timeout_ms);
  /// With the mode, unaligned switch and aligned timeout of `config`.
  barrier_aligner(int channels, const checkpoint_config& config)
      : barrier_aligner(channels, config.mode, config.unaligned, config.aligned_timeout_ms) {}

  /// Barrier `checkpoint_id` arrived on `channel` at `now_ms`. Throws std::logic_error for a
  /// blocked or finished channel or a second barrier of a checkpoint on one channel.
  barrier_actions on_barrier(int channel, std::int64_t checkpoint_id, std::int64_t now_ms);
  /// Barrier `checkpoint_id` arrived at the gate at `now_ms`, queued behind input (aligned with
  /// an aligned timeout): starts its alignment clock unless a checkpoint is in progress, so
  /// that the timeout counts from the first barrier's arrival even before any is taken.
  void on_barrier_announced(std::int64_t checkpoint_id, std::int64_t now_ms);
  /// `channel` delivered its last input (end of partition). Throws std::logic_error if it is
  /// blocked or finished before.
  barrier_actions on_end_of_partition(int channel, std::int64_t now_ms);
  /// Checkpoint `checkpoint_id` aligns whatever the unaligned switch says: a savepoint, or a
  /// rescale's stop, holds no in-flight data (as Flink's savepoints). Call before its first
  /// barrier.
  void align(std::int64_t checkpoint_id);
  /// The coordinator aborted `checkpoint_id`; its barriers arriving later are ignored.
  barrier_actions abort(std::int64_t checkpoint_id);
  /// Applies the aligned timeout at `now_ms` (call from a timer at alignment_deadline_ms()).
  barrier_actions poll(std::int64_t now_ms);

  /// True while `channel` must not be consumed (aligned, barrier delivered).
  bool is_blocked(int channel) const;
  /// True while what `channel` delivers is in-flight data of the current unaligned snapshot.
  bool records_in_flight(int channel) const;
  /// The checkpoint being aligned or captured, if any.
  std::optional<std::int64_t> current_checkpoint() const;
  /// When an aligned checkpoint switches to unaligned unless aligned before (for a timer).
  std::optional<std::int64_t> alignment_deadline_ms() const;
  int channels() const { return static_cast<int>(finished_.size()); }

private:
  enum class phase {
    aligning, ///< aligned: channels with the barrier are blocked
    tracking, ///< at-least-once: counting barriers, nothing blocked
    capturing ///< unaligned: snapshot taken, recording in-flight data
  };
  struct in_progress {
    std::int64_t id;
    phase state;
    std::int64_t first_barrier_ms;
    std::vector<bool> barrier;
  };

  void check_channel(int channel) const;
  /// True when every channel delivered the current barrier or finished.
  bool all_arrived() const;
  /// Starts checkpoint `id` with its first barrier on `channel`.
  barrier_actions start(int channel, std::int64_t id, std::int64_t now_ms);
  /// Acts on the current checkpoint after one of its channels arrived or finished.
  barrier_actions advance(std::int64_t now_ms);
  /// Takes the unaligned snapshot of the current checkpoint at `now_ms`.
  barrier_action unaligned_trigger(std::int64_t now_ms);
  /// Whether checkpoint `id` may go unaligned (at once, or after the aligned timeout).
  bool may_go_unaligned(std::int64_t id) const {
    return unaligned_ && aligned_ids_.count(id) == 0;
  }

  checkpointing_mode mode_;
  bool unaligned_;
  std::int64_t aligned_timeout_ms_;
  std::vector<bool> finished_;
  std::optional<in_progress> current_;
  std::int64_t latest_id_ = 0; ///< highest checkpoint id seen (barrier or abort)
  std::set<std::int64_t> aligned_ids_; ///< align(): forgotten once a newer one starts
};

} // namespace sluice
