#pragma once
// The job manager's checkpointing: a checkpoint_coordinator_core and a checkpoint_storage
// driven by a timer, the acknowledgements and declines of the subtasks, and the final
// checkpoint taken once every subtask finished its input (so a bounded job's output is
// committed before the subtasks close).

#include "cluster_actors.hpp"

#include "sluice/checkpoint/checkpoint_coordinator_core.hpp"
#include "sluice/checkpoint/checkpoint_storage.hpp"

#include <optional>
#include <vector>

namespace sluice {

struct job_checkpointing {
  /// Sets up the coordinator and the storage of the job's checkpoints; ids continue above any
  /// chk-N on disk, whose incomplete directories are discarded.
  explicit job_checkpointing(const job_manager_setup& setup);

  checkpoint_coordinator_core core;
  checkpoint_storage storage;
  std::vector<bool> is_source;      ///< by flat subtask index
  std::vector<bool> input_finished; ///< by flat subtask index
  std::size_t finished = 0;
  std::optional<std::int64_t> final_id; ///< the final checkpoint, once triggered
  std::optional<std::int64_t> armed_tick_ms; ///< when the armed timer fires
};

/// Arms the checkpoint timer for the next trigger (at most 100 ms ahead), unless it is armed
/// to fire earlier.
void arm_checkpoint_tick(jm_actor self);
/// The timer armed for `due_ms` fired: times out pending checkpoints, triggers the next one
/// when due, re-arms. Ignored unless it is the armed one.
void on_checkpoint_tick(jm_actor self, const job_manager_setup& setup, std::int64_t due_ms);
void on_checkpoint_ack(jm_actor self, const job_manager_setup& setup, checkpoint_ack_msg& msg);
void on_checkpoint_decline(jm_actor self, const job_manager_setup& setup,
                           const checkpoint_decline_msg& msg);
/// The job failed: what its subtasks reported about finished inputs no longer holds.
void forget_finished_inputs(jm_actor self);
/// The job is redeployed: aborts what is pending; returns the `_metadata` file of the latest
/// completed checkpoint to restore, or "" (start from scratch) when there is none.
std::string restart_checkpointing(jm_actor self, const job_manager_setup& setup);

/// A subtask finished its input: it takes part in pending checkpoints directly (no barrier can
/// reach it any more); once all did, the final checkpoint follows.
void on_input_finished(jm_actor self, const job_manager_setup& setup,
                       const input_finished_msg& msg);

} // namespace sluice
