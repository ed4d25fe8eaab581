#pragma once
// The job manager's checkpointer: a checkpoint_coordinator_core and a checkpoint_storage
// driven by a timer, the acknowledgements and declines of the subtasks, and the final
// checkpoint taken once every subtask finished its input (so a bounded job's output is
// committed before the subtasks close).
//
// A savepoint (Flink semantics) is a checkpoint with a target directory and a stop/drain flag,
// as the subtask treats it: a savepoint_request_msg waits until no checkpoint is pending, then
// takes the next id of the job's checkpoint sequence, creates `<dir>/savepoint-<job id>-<id>/`
// and runs through the barrier machinery: every subtask but the sources is first told (request
// and reply) where its snapshot goes, then the sources are triggered. Its `_metadata` (kind
// savepoint) and state files stay in that directory, out of reach of the retention of
// checkpoints. Stop with savepoint: sources emit nothing after the barrier (with drain, the
// maximum watermark before it); once the savepoint completed, the subtasks are told
// (two-phase-commit sinks commit) and closed, and the job ends successfully. If it fails, the
// job goes on. A rescale stops the job the same way at a checkpoint of the job (chk-N) instead
// of a savepoint, and the job manager deploys the subtasks again from it.

#include "job_context.hpp"
#include "job_view.hpp"

#include "sluice/checkpoint/checkpoint_coordinator_core.hpp"
#include "sluice/checkpoint/checkpoint_storage.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice {

/// Why no savepoint can be taken for `msg` now whatever the checkpointer's state, or "".
std::string savepoint_refusal(const job_manager_setup& setup, const job_deployment& deployment,
                              const savepoint_request_msg& msg);

/// With checkpointing on, or once a savepoint is requested of a job without it (then without
/// periodic or final checkpoints).
class job_checkpointer {
public:
  /// Sets up the coordinator and the storage of the job's checkpoints (with --checkpoint-dir);
  /// ids continue above the id of `initial_restore` (a `_metadata` file, or "") and any chk-N
  /// on disk, whose incomplete directories are discarded. `fail_job` is called with the cause
  /// when more checkpoints failed in a row than tolerated.
  job_checkpointer(caf::event_based_actor& self, const job_manager_setup& setup,
                   const job_deployment& deployment, std::string initial_restore,
                   std::function<void(const std::string&)> fail_job);

  // -- the timer ------------------------------------------------------------------------------

  /// Arms the checkpoint timer for the next trigger (at most 100 ms ahead), unless it is armed
  /// to fire earlier.
  void arm_tick();
  /// The timer armed for `due_ms` fired: times out pending checkpoints, triggers the next one
  /// when due, re-arms. Ignored unless it is the armed one.
  void on_tick(std::int64_t due_ms);

  // -- the subtasks ---------------------------------------------------------------------------

  void on_ack(checkpoint_ack_msg& msg);
  void on_decline(const checkpoint_decline_msg& msg);
  /// A subtask finished its input: it takes part in pending checkpoints directly (no barrier
  /// can reach it any more); once all did, the final checkpoint follows.
  void on_input_finished(const input_finished_msg& msg);
  /// A subtask finished and quit (checkpointing off): savepoints in progress cannot complete.
  void on_subtask_finished(int vertex, int subtask);

  // -- savepoints -----------------------------------------------------------------------------

  /// Why no savepoint can be taken now (the final checkpoint or a stop is in progress), or "".
  std::string savepoint_refusal() const;
  /// Queues a client's savepoint (savepoint_refusal said yes) and triggers it when it is its
  /// turn; `promise` gets the directory, or an error.
  void request_savepoint(const savepoint_request_msg& msg, caf::response_promise promise);
  /// The job ends or restarts: answers every savepoint triggered (and, if the job ends, every
  /// waiting one) with `reason`.
  void fail_savepoints(const std::string& reason, bool waiting_too);

  // -- rescaling ------------------------------------------------------------------------------

  /// Queues the checkpoint a rescale stops the job at: a checkpoint of the job (chk-N, counted
  /// by retention) that stops it as a stop with savepoint does. It is incremental, except at
  /// the subtasks of the vertices `replaced` (by vertex id): they snapshot fully, which their
  /// successors restore faster. `done` is called once: with nothing when it completed (sinks
  /// committed), or with why it failed (the job goes on). Needs --checkpoint-dir
  /// (rescale_refusal).
  void request_rescale_stop(std::vector<bool> replaced,
                            std::function<void(std::optional<std::string> failure)> done);
  /// Why the job cannot stop for a rescale now, or "".
  std::string rescale_refusal() const;
  /// The job runs again at the plan the job manager's setup holds now: later checkpoints
  /// expect its subtasks.
  void rescaled();
  /// The rescale is over (its successors run, or it failed): retires the checkpoints its stop
  /// left beyond retention. Deleting them waits until then, so that it does not hold up the
  /// job manager while it deploys and rewires the successors.
  void rescale_finished();
  /// Calls `f` with the id of the next checkpoint (not savepoint) that completes, once.
  void after_next_checkpoint(std::function<void(std::int64_t)> f) {
    after_next_checkpoint_ = std::move(f);
  }
  /// The job fails before the rescale's checkpoint was triggered: the rescale is over (the job
  /// manager answered its client), so its stop is dropped, answered with `reason`, instead of
  /// stopping the restarted job.
  void fail_waiting_rescale(const std::string& reason);

  // -- restarts -------------------------------------------------------------------------------

  /// The job failed: what its subtasks reported about finished inputs no longer holds.
  void forget_finished_inputs();
  /// The job is redeployed: aborts what is pending; returns the `_metadata` file to restore.
  std::string restart();
  /// The `_metadata` file a restart restores: the latest checkpoint completed in this run,
  /// else what the job started from ("": nothing).
  std::string restore_on_restart() const;

  checkpoints_view view() const;

private:
  /// What a client asked for.
  struct savepoint_order {
    std::filesystem::path parent; ///< where its directory goes
    bool stop = false;
    bool drain = false;
    caf::response_promise promise; ///< the client's: the directory, or an error
    /// A rescale's stop (no directory of its own; promise unused): told instead of the promise.
    std::function<void(std::optional<std::string> failure)> rescale_done;
    std::vector<bool> replaced; ///< a rescale's: by vertex id, whose subtasks snapshot fully

    /// Answers the one who asked: `dir` when it completed, else `failure`.
    void answer(const std::string& dir, std::optional<std::string> failure);
  };
  struct running_savepoint {
    savepoint_order order;
    std::filesystem::path dir;
    std::size_t unannounced = 0; ///< subtasks that have not replied to the announcement yet
  };

  /// Sends `msg` to every deployed subtask.
  template <class Message>
  void broadcast(const Message& msg) {
    for (const auto& sub : deployment_.subtasks)
      if (sub)
        self_.send(sub, msg);
  }
  /// Removes the shared state files no completed checkpoint references (logged).
  void sweep_shared();
  void trigger(bool final);
  /// Triggers the final checkpoint once every subtask finished its input and nothing is
  /// pending or waiting (savepoints go first).
  void maybe_trigger_final();
  /// Removes what checkpoint or savepoint `id` wrote (a warning if it cannot).
  void discard(std::int64_t id);
  /// Checkpoint or savepoint `f` ended without completing: discards it, tells the subtasks
  /// (and a savepoint's client); fails the job after too many checkpoint failures in a row.
  void on_failure(const checkpoint_failure& f);
  /// Every subtask acknowledged: writes `_metadata`, completes, retires old checkpoints (after
  /// a rescale's stop: once the rescale is over, rescale_finished), notifies.
  void complete(const checkpoint_metadata& m);
  /// Discards the completed checkpoints beyond retention, and failed ones when none is pending.
  void retire_checkpoints();

  // -- savepoints (job_checkpointer_savepoints.cpp) --
  /// A stop with savepoint is waiting, running or completed: no further checkpoint starts.
  bool stopping() const;
  /// The directory of savepoint `id`, if it is a running savepoint (not a rescale's stop).
  std::optional<std::filesystem::path> savepoint_dir(std::int64_t id) const;
  /// Whether `id` is a running rescale's stop.
  bool stops_for_rescale(std::int64_t id) const;
  /// Triggers the first waiting savepoint if nothing is pending and the job is running.
  void maybe_trigger_savepoint();
  /// Every subtask but the sources knows savepoint `id`'s directory: triggers the sources.
  void on_announced(std::int64_t id);
  /// The trigger message of pending checkpoint or savepoint `id` (a savepoint's carries its
  /// directory and whether it stops the job).
  /// For a subtask of vertex `vertex` (a rescale's stop asks a full snapshot of some).
  trigger_checkpoint_msg trigger_message(std::int64_t id, std::int64_t trigger_ms,
                                         int vertex) const;
  /// Savepoint `id` completed (its `_metadata` is written): answers the client; a stop closes
  /// every subtask (after checkpoint_ended_msg, so sinks commit first), a rescale's stop leaves
  /// that to the job manager (job_manager_rescale.cpp).
  void on_savepoint_completed(std::int64_t id);
  /// Savepoint `id` failed: answers the client with `reason`.
  void on_savepoint_failed(std::int64_t id, const std::string& reason);

  caf::event_based_actor& self_;
  const job_manager_setup& setup_;
  const job_deployment& deployment_;
  const std::string initial_restore_;
  const std::function<void(const std::string&)> fail_job_;

  checkpoint_coordinator_core core_;
  std::optional<checkpoint_storage> storage_; ///< with --checkpoint-dir
  std::vector<bool> is_source_;      ///< by flat subtask index
  std::vector<bool> input_finished_; ///< by flat subtask index
  std::size_t finished_ = 0;
  std::optional<std::int64_t> final_id_; ///< the final checkpoint, once triggered
  /// A final checkpoint failed: the next one waits for the periodic interval, as a periodic
  /// checkpoint does (retried at once, a full disk burnt every tolerable failure in a moment).
  bool final_failed_ = false;
  std::optional<std::int64_t> armed_tick_ms_; ///< when the armed timer fires
  std::int64_t completed_ = 0;
  std::int64_t failed_ = 0;

  std::deque<savepoint_order> waiting_savepoints_;
  std::map<std::int64_t, running_savepoint> running_savepoints_;
  bool stopped_ = false; ///< a stop with savepoint completed: the job is closing
  std::function<void(std::int64_t)> after_next_checkpoint_;
  bool stopped_for_rescale_ = false; ///< that stop was a rescale's: the job runs again
  bool retire_after_rescale_ = false; ///< rescale_finished retires checkpoints
};

} // namespace sluice
