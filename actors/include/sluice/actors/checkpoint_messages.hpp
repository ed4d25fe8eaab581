#pragma once
// Checkpointing between the job manager and subtasks: triggers, acknowledgements with the
// subtask's state handles, declines, the end of a checkpoint; and the timers that drive them.
// Registered by register_messages() (messages.hpp).

#include <caf/all.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace sluice {

/// Take checkpoint `checkpoint_id` (job manager -> sources; and -> every subtask whose input
/// finished, which snapshots without emitting a barrier). For a savepoint, the job manager
/// first sends it as a request to every other subtask, which records where its snapshot goes
/// and replies, and only then to the sources.
struct trigger_checkpoint_msg {
  std::int64_t checkpoint_id = 0;
  std::int64_t timestamp_ms = 0; ///< when the coordinator triggered it
  std::string target_dir;        ///< a savepoint's directory; "" for the job's chk-N
  bool stop = false;             ///< stop with savepoint: sources emit nothing after the barrier
  bool drain = false;            ///< with stop: sources emit the maximum watermark first
  /// A full snapshot, sharing no file with earlier checkpoints: a rescale's stop asks it of the
  /// subtasks it replaces (their successors restore it at once; they take no later snapshot).
  bool full = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, trigger_checkpoint_msg& x) {
  return f(caf::meta::type_name("sluice::trigger_checkpoint_msg"), x.checkpoint_id,
           x.timestamp_ms, x.target_dir, x.stop, x.drain, x.full);
}

/// A subtask wrote its part of a checkpoint: per operator uid of its chain, the operator
/// subtask's state (subtask_state_to_text), and what it measured.
struct checkpoint_ack_msg {
  std::int32_t vertex = 0;
  std::int32_t subtask = 0;
  std::int64_t checkpoint_id = 0;
  std::map<std::string, std::string> states;
  std::int64_t alignment_ms = 0;
  std::int64_t start_delay_ms = 0; ///< measured by sources and subtasks whose input finished
  std::uint64_t in_flight_bytes = 0;
  /// When the first barrier arrived (ms since the epoch; 0 without barriers): the job manager
  /// makes the start delay of it.
  std::int64_t first_barrier_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_ack_msg& x) {
  return f(caf::meta::type_name("sluice::checkpoint_ack_msg"), x.vertex, x.subtask,
           x.checkpoint_id, x.states, x.alignment_ms, x.start_delay_ms, x.in_flight_bytes,
           x.first_barrier_ms);
}

/// A subtask cannot take part in a checkpoint (a newer barrier overtook it, its snapshot failed).
struct checkpoint_decline_msg {
  std::int32_t vertex = 0;
  std::int32_t subtask = 0;
  std::int64_t checkpoint_id = 0;
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_decline_msg& x) {
  return f(caf::meta::type_name("sluice::checkpoint_decline_msg"), x.vertex, x.subtask,
           x.checkpoint_id, x.reason);
}

/// The job manager ended a checkpoint: completed (its `_metadata` is written) or aborted.
struct checkpoint_ended_msg {
  std::int64_t checkpoint_id = 0;
  bool completed = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_ended_msg& x) {
  return f(caf::meta::type_name("sluice::checkpoint_ended_msg"), x.checkpoint_id, x.completed);
}

/// The aligned checkpoint timeout of checkpoint N may have passed (a subtask to itself).
using alignment_timeout_atom = caf::atom_constant<caf::atom("s_aligntmo")>;
/// The job manager's checkpoint timer (triggers, timeouts).
using checkpoint_tick_atom = caf::atom_constant<caf::atom("s_ckpttick")>;

} // namespace sluice
