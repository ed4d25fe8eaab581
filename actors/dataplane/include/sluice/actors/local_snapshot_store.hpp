#pragma once
// Local recovery (--local-recovery) of one subtask: after the files of its snapshot for
// checkpoint N were written, a copy of its keyed state (local_state_copy.hpp) goes under the
// task manager's state dir, `<state-dir>/local-recovery-<pid>/<job-id>/v<vertex>-s<subtask>/
// chk-N/`, with a `_metadata` naming the copy and the snapshot it copies; the copy of the
// latest completed checkpoint is kept. A restart from checkpoint N takes the copies that match
// what the checkpoint holds for this subtask, or else the checkpoint directory. No threads of
// its own: keep() runs where the snapshot is written, the rest on the subtask's thread.

#include "sluice/checkpoint/checkpoint_metadata.hpp"
#include "sluice/state/local_state_copy.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sluice {

/// The subtask whose copies a store keeps.
struct local_snapshot_owner {
  std::string job_id;
  int vertex = 0;
  int subtask = 0;
  int parallelism = 1; ///< the vertex's, now
  int max_parallelism = 1;
  std::vector<std::string> uids; ///< its chain's operators
  std::string task;              ///< "count (2/4)", for the log
};

/// What a store's copies are for, and so the root they go under.
enum class copy_purpose {
  local_recovery,  ///< `local-recovery-<pid>`: the latest completed checkpoint's (--local-recovery)
  rescale_handoff, ///< `handoff-<pid>`: a rescale's, for the successors (state_handoff.hpp)
};

/// How often restores took the local copies or the checkpoint directory (this process).
struct local_recovery_counts {
  int local = 0;
  int checkpoint_dir = 0;
};

class local_snapshot_store {
public:
  local_snapshot_store(const std::string& state_dir, local_snapshot_owner owner,
                       copy_purpose purpose = copy_purpose::local_recovery);

  /// `<state-dir>/local-recovery-<pid>` (or `handoff-<pid>`): every copy of that purpose this
  /// process keeps (removed at its end).
  static std::string root(const std::string& state_dir,
                          copy_purpose purpose = copy_purpose::local_recovery);
  /// `<root>/<job-id>/v<vertex>-s<subtask>`: the copies of one subtask.
  static std::string subtask_dir(const std::string& root, const std::string& job_id, int vertex,
                                 int subtask);
  /// `<subtask dir>/chk-<id>`: one copy.
  static std::string copy_dir(const std::string& subtask_dir, std::int64_t id);
  /// The checkpoint id of a copy directory named `chk-<id>` (copy_dir's last part), or -1.
  static std::int64_t copy_checkpoint(const std::string& name);
  /// The restores of every store of the process so far.
  static local_recovery_counts counts();

  /// Keeps a copy of the keyed state in `states` (by operator uid) for checkpoint `id`. A copy
  /// that cannot be made is logged and left out: the checkpoint goes on without it. `moves` (by
  /// uid) are the directories of key groups prepared for a rescale's successors
  /// (operator_chain::finish_handoff): each goes, moved, into the copy as `moves/` beside the
  /// operator's RocksDB checkpoint, where the successors' restore looks for them.
  void keep(std::int64_t id, const std::map<std::string, subtask_state>& states,
            const std::map<std::string, std::string>& moves = {}) const;
  /// Checkpoint `id` completed: if a copy of it is held, the older copies go.
  void completed(std::int64_t id) const;
  /// Checkpoint `id` was aborted: its copy goes.
  void aborted(std::int64_t id) const;
  /// The copies to restore the keyed state of `restored` from, by operator uid: all of them if
  /// they match it (same job, checkpoint, parallelism, snapshot; files present with their
  /// sizes), else none. Logs (a warning) which one a subtask with keyed state restores from,
  /// and counts it.
  std::map<std::string, local_keyed_copy> restore_copies(const checkpoint_metadata& restored) const;

  const std::string& dir() const { return dir_; }

private:
  /// Why the copies of `restored.checkpoint_id` cannot stand in for it (empty: they can);
  /// fills `out`.
  std::string match(const checkpoint_metadata& restored,
                    std::map<std::string, local_keyed_copy>& out) const;
  /// Moves the directory `from` to `to` (see keep); logs and leaves it out if it cannot.
  void take_moves(const std::string& from, const std::string& to) const;

  std::string dir_;
  local_snapshot_owner owner_;
};

/// Why the copy whose metadata is `copy` cannot stand in for `wanted`, the keyed state a
/// checkpoint holds of subtask `subtask` of operator `uid` (max parallelism `max_parallelism`):
/// the copy holds none, holds another snapshot, or misses files. Empty: it can, and `out` is
/// the handle of the copy.
std::string check_copy(const checkpoint_metadata& copy, const std::string& uid, int subtask,
                       int max_parallelism, const keyed_state_handle& wanted,
                       keyed_state_handle& out);

} // namespace sluice
