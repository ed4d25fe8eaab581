#pragma once
// The job manager's checkpointing: a checkpoint_coordinator_core and a checkpoint_storage
// driven by a timer, the acknowledgements and declines of the subtasks, and the final
// checkpoint taken once every subtask finished its input (so a bounded job's output is
// committed before the subtasks close).

#include "cluster_actors.hpp"
#include "job_savepoints.hpp"

#include "sluice/checkpoint/checkpoint_coordinator_core.hpp"
#include "sluice/checkpoint/checkpoint_storage.hpp"

#include <optional>
#include <vector>

namespace sluice {

/// With checkpointing on, or once a savepoint is requested of a job without it (then without
/// periodic or final checkpoints).
struct job_checkpointing {
  /// Sets up the coordinator and the storage of the job's checkpoints (with --checkpoint-dir);
  /// ids continue above the id of `initial_restore` (a `_metadata` file, or "") and any chk-N
  /// on disk, whose incomplete directories are discarded.
  job_checkpointing(const job_manager_setup& setup, const std::string& initial_restore);

  checkpoint_coordinator_core core;
  std::optional<checkpoint_storage> storage; ///< with --checkpoint-dir
  job_savepoints savepoints;
  std::vector<bool> is_source;      ///< by flat subtask index
  std::vector<bool> input_finished; ///< by flat subtask index
  std::size_t finished = 0;
  std::optional<std::int64_t> final_id; ///< the final checkpoint, once triggered
  /// A final checkpoint failed: the next one waits for the periodic interval, as a periodic
  /// checkpoint does (retried at once, a full disk burnt every tolerable failure in a moment).
  bool final_failed = false;
  std::optional<std::int64_t> armed_tick_ms; ///< when the armed timer fires
};

/// Milliseconds since the epoch: the coordinator's clock (trigger timestamps travel to subtasks).
std::int64_t wall_clock_ms();

/// Arms the checkpoint timer for the next trigger (at most 100 ms ahead), unless it is armed
/// to fire earlier.
void arm_checkpoint_tick(jm_actor self);
/// The timer armed for `due_ms` fired: times out pending checkpoints, triggers the next one
/// when due, re-arms. Ignored unless it is the armed one.
void on_checkpoint_tick(jm_actor self, const job_manager_setup& setup, std::int64_t due_ms);
void on_checkpoint_ack(jm_actor self, const job_manager_setup& setup, checkpoint_ack_msg& msg);
/// Checkpoint or savepoint `f` ended without completing: discards it, tells the subtasks (and
/// a savepoint's client); fails the job after too many checkpoint failures in a row.
void on_checkpoint_failure(jm_actor self, const job_manager_setup& setup,
                           const checkpoint_failure& f);
void on_checkpoint_decline(jm_actor self, const job_manager_setup& setup,
                           const checkpoint_decline_msg& msg);
/// The job failed: what its subtasks reported about finished inputs no longer holds.
void forget_finished_inputs(jm_actor self);
/// The job is redeployed: aborts what is pending; returns the `_metadata` file of the latest
/// completed checkpoint to restore, or "" (start from scratch) when there is none.
std::string restart_checkpointing(jm_actor self, const job_manager_setup& setup);
/// The `_metadata` file a restart restores: the latest checkpoint completed in this run, else
/// what the job started from ("": nothing).
std::string restore_on_restart(jm_actor self);

/// A subtask finished its input: it takes part in pending checkpoints directly (no barrier can
/// reach it any more); once all did, the final checkpoint follows.
void on_input_finished(jm_actor self, const job_manager_setup& setup,
                       const input_finished_msg& msg);

} // namespace sluice
