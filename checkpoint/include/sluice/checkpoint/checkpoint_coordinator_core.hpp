#pragma once
// The job-level checkpoint coordinator's bookkeeping, without actors, threads or clocks (the
// job manager actor drives it and passes the time in): when to trigger the next periodic
// checkpoint, which subtasks must acknowledge a pending one, collecting their state handles
// into the checkpoint's metadata, aborting on a decline or a timeout, counting consecutive
// failures against the tolerable number, and keeping statistics. Checkpoint ids increase
// monotonically, across restarts and restores too.
//
// A checkpoint's life: trigger() → acknowledge() of every expected subtask (the last returns
// all_acknowledged with the metadata) → the caller writes `_metadata` → complete(); or
// decline() / check_timeouts() / abort() end it early.

#include "sluice/checkpoint/checkpoint_config.hpp"
#include "sluice/checkpoint/checkpoint_metadata.hpp"
#include "sluice/checkpoint/checkpoint_stats.hpp"
#include "sluice/checkpoint/subtask_id.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sluice {

/// An operator of the job as checkpoints record it.
struct operator_layout {
  std::string uid;
  int parallelism = 1;
  int max_parallelism = 1;
};

/// What a subtask sends when its part of a checkpoint is written.
struct checkpoint_ack {
  subtask_state state;
  subtask_ack_stats stats;
};

enum class ack_status {
  acknowledged,       ///< recorded; other subtasks are still missing
  all_acknowledged,   ///< recorded, and it was the last: write the metadata, then complete()
  unknown_checkpoint, ///< not pending (aborted, completed or never triggered): ignored
  unexpected_subtask, ///< not among the subtasks expected to acknowledge it: ignored
  duplicate           ///< this subtask acknowledged it before: ignored
};

struct ack_result {
  ack_status status = ack_status::unknown_checkpoint;
  /// The checkpoint's metadata, with all_acknowledged.
  std::optional<checkpoint_metadata> metadata;
};

enum class failure_reason {
  expired,         ///< not acknowledged by all within the timeout
  declined,        ///< a subtask declined it
  finalize_failed, ///< its metadata could not be written
  job_failover,    ///< the job failed or restarted meanwhile (not the checkpoint's fault)
  start_failed     ///< its directory could not be created
};

/// "expired", "declined", "finalize failed", "job failover" or "start failed".
const char* to_string(failure_reason reason);

/// A checkpoint that was aborted: the caller discards its directory and tells the subtasks.
struct checkpoint_failure {
  std::int64_t checkpoint_id = 0;
  failure_reason reason = failure_reason::expired;
  std::string message;
  /// Counted towards the consecutive failures (checkpoints only, not for job_failover).
  bool counted = false;
};

class checkpoint_coordinator_core {
public:
  /// How many finished checkpoints history() keeps.
  static constexpr std::size_t history_capacity = 10;

  /// The first periodic checkpoint is due at `now_ms` + interval. Throws std::invalid_argument
  /// when `config` is invalid or an operator is listed twice or has a bad parallelism.
  checkpoint_coordinator_core(checkpoint_config config, std::string job_id,
                              std::string state_backend, std::vector<operator_layout> operators,
                              std::int64_t now_ms);

  const checkpoint_config& config() const { return config_; }
  /// The job was rescaled: later checkpoints expect these operators. Throws
  /// std::invalid_argument as the constructor does, std::logic_error while one is pending.
  void set_operators(std::vector<operator_layout> operators);

  // -- triggering -----------------------------------------------------------------------------

  /// True when checkpointing is on, fewer than max_concurrent are pending, the interval since
  /// the last periodic trigger passed and the minimum pause since the last checkpoint ended.
  bool should_trigger(std::int64_t now_ms) const {
    const auto due = next_trigger_ms();
    return due && *due <= now_ms;
  }
  /// When should_trigger becomes true (for a timer); nullopt while it cannot (checkpointing
  /// off, or max_concurrent pending).
  std::optional<std::int64_t> next_trigger_ms() const;
  /// Starts a checkpoint (or savepoint) that every subtask of every operator acknowledges;
  /// returns its id.
  std::int64_t trigger(std::int64_t now_ms, snapshot_kind kind = snapshot_kind::checkpoint);
  /// Starts one that exactly `expected` acknowledge (finished subtasks are left out). Throws
  /// checkpoint_error when max_concurrent are pending, std::invalid_argument when `expected` is
  /// empty or names a subtask twice or one the job does not have.
  std::int64_t trigger(std::int64_t now_ms, snapshot_kind kind, std::vector<subtask_id> expected);

  // -- acknowledgements -----------------------------------------------------------------------

  /// Records `task`'s acknowledgement of checkpoint `checkpoint_id` at `now_ms`.
  ack_result acknowledge(std::int64_t checkpoint_id, const subtask_id& task, checkpoint_ack ack,
                         std::int64_t now_ms);
  /// Marks an all-acknowledged checkpoint whose metadata is written as completed: resets the
  /// consecutive failures; returns its statistics. Throws std::logic_error unless
  /// `checkpoint_id` is pending and all-acknowledged.
  checkpoint_stats complete(std::int64_t checkpoint_id, std::int64_t now_ms);

  // -- failures -------------------------------------------------------------------------------

  /// `task` declined `checkpoint_id`: aborts it. nullopt if it is not pending (ignored).
  std::optional<checkpoint_failure> decline(std::int64_t checkpoint_id, const subtask_id& task,
                                            const std::string& reason, std::int64_t now_ms);
  /// Aborts every pending checkpoint triggered timeout_ms or more before `now_ms`.
  std::vector<checkpoint_failure> check_timeouts(std::int64_t now_ms);
  /// Aborts a pending checkpoint for `reason`; nullopt if it is not pending.
  std::optional<checkpoint_failure> abort(std::int64_t checkpoint_id, failure_reason reason,
                                          const std::string& message, std::int64_t now_ms);
  /// Counted failures since the last completed checkpoint (or restart).
  int consecutive_failures() const { return consecutive_failures_; }
  /// True once consecutive_failures() exceeds the tolerable failures: fail (restart) the job.
  bool job_should_fail() const { return consecutive_failures_ > config_.tolerable_failures; }

  // -- restarts -------------------------------------------------------------------------------

  /// The job restores checkpoint `checkpoint_id`: later ids are greater than it (ids never go
  /// down). Also use it with the highest chk-N on disk, so no directory is reused.
  void restore_from(std::int64_t checkpoint_id);
  /// The job was redeployed at `now_ms`: aborts every pending checkpoint (job_failover, not
  /// counted), clears the consecutive failures, and schedules the next periodic checkpoint an
  /// interval from now. Returns what was aborted.
  std::vector<checkpoint_failure> on_job_restart(std::int64_t now_ms);

  // -- queries --------------------------------------------------------------------------------

  /// The id the next trigger returns.
  std::int64_t next_checkpoint_id() const { return next_id_; }
  std::optional<std::int64_t> latest_completed_id() const { return latest_completed_; }
  /// Ids of the pending checkpoints, ascending.
  std::vector<std::int64_t> pending_ids() const;
  /// Statistics of a pending checkpoint so far; nullptr if it is not pending.
  const checkpoint_stats* pending_stats(std::int64_t checkpoint_id) const;
  /// Statistics of the last finished (completed or failed) checkpoints.
  const checkpoint_stats_history& history() const { return history_; }

private:
  struct pending_checkpoint {
    checkpoint_stats stats;
    std::set<subtask_id> expected;
    std::set<subtask_id> awaiting;
    checkpoint_metadata metadata;
  };

  /// Ends `it` as failed; updates the failure count, the pause and the history.
  checkpoint_failure fail(std::map<std::int64_t, pending_checkpoint>::iterator it,
                          failure_reason reason, const std::string& message, std::int64_t now_ms);

  checkpoint_config config_;
  std::string job_id_;
  std::string state_backend_;
  std::map<std::string, operator_layout> operators_;
  std::map<std::int64_t, pending_checkpoint> pending_;
  std::int64_t next_id_ = 1;
  std::int64_t next_periodic_ms_;
  std::optional<std::int64_t> last_end_ms_;
  std::optional<std::int64_t> latest_completed_;
  int consecutive_failures_ = 0;
  checkpoint_stats_history history_;
};

} // namespace sluice
