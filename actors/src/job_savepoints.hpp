#pragma once
// The job manager's savepoints (Flink semantics): a savepoint_request_msg waits until no
// checkpoint is pending, then takes the next id of the job's checkpoint sequence, creates
// `<dir>/savepoint-<job id>-<id>/` and runs through the barrier machinery: every subtask but the
// sources is first told (request and reply) where its snapshot goes, then the sources are
// triggered. Its `_metadata` (kind savepoint) and state files stay in that directory, out of
// reach of the retention of checkpoints. Stop with savepoint: sources emit nothing after the
// barrier (with drain, the maximum watermark before it); once the savepoint completed, the
// subtasks are told (two-phase-commit sinks commit) and closed, and the job ends successfully.
// If it fails, the job goes on.

#include "sluice/actors/messages.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace sluice {

/// One savepoint a client asked for.
struct savepoint_order {
  std::filesystem::path parent; ///< where its directory goes
  bool stop = false;
  bool drain = false;
  caf::response_promise promise; ///< the client's: the directory, or an error
};

/// The savepoints of a job: those waiting for their turn, and those triggered (by id).
struct job_savepoints {
  std::deque<savepoint_order> waiting;
  struct triggered {
    savepoint_order order;
    std::filesystem::path dir;
    std::size_t unannounced = 0; ///< subtasks that have not replied to the announcement yet
  };
  std::map<std::int64_t, triggered> running;
  bool stopped = false; ///< a stop with savepoint completed: the job is closing

  /// A stop with savepoint is waiting, running or completed: no further checkpoint starts.
  bool stopping() const;
  /// The directory of savepoint `id`, if it is a running savepoint.
  std::optional<std::filesystem::path> dir_of(std::int64_t id) const;
};

struct job_manager_setup;
struct job_manager_state;
using jm_actor = caf::stateful_actor<job_manager_state>*;

/// Handles a client's request: checks it, queues it, triggers it when it is its turn.
caf::response_promise on_savepoint_request(jm_actor self, const job_manager_setup& setup,
                                           const savepoint_request_msg& msg);
/// Triggers the first waiting savepoint if nothing is pending and the job is running.
void maybe_trigger_savepoint(jm_actor self, const job_manager_setup& setup);
/// The trigger message of pending checkpoint or savepoint `id` (a savepoint's carries its
/// directory and whether it stops the job).
trigger_checkpoint_msg trigger_message(jm_actor self, std::int64_t id, std::int64_t trigger_ms);
/// Savepoint `id` completed (its `_metadata` is written): answers the client; a stop closes
/// every subtask (after checkpoint_ended_msg, so sinks commit first).
void on_savepoint_completed(jm_actor self, std::int64_t id);
/// Savepoint `id` failed: answers the client with `reason`.
void on_savepoint_failed(jm_actor self, std::int64_t id, const std::string& reason);
/// The job ends or restarts: answers every savepoint triggered (and, if the job ends, every
/// waiting one) with `reason`.
void fail_savepoints(jm_actor self, const std::string& reason, bool waiting_too);
/// A subtask finished and quit (checkpointing off): savepoints in progress cannot complete.
void on_subtask_finished(jm_actor self, const job_manager_setup& setup, int vertex, int subtask);

} // namespace sluice
