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

/// How often restores took the local copies or the checkpoint directory (this process).
struct local_recovery_counts {
  int local = 0;
  int checkpoint_dir = 0;
};

class local_snapshot_store {
public:
  local_snapshot_store(const std::string& state_dir, local_snapshot_owner owner);

  /// `<state-dir>/local-recovery-<pid>`: every copy this process keeps (removed at its end).
  static std::string root(const std::string& state_dir);
  /// The restores of every store of the process so far.
  static local_recovery_counts counts();

  /// Keeps a copy of the keyed state in `states` (by operator uid) for checkpoint `id`. A copy
  /// that cannot be made is logged and left out: the checkpoint goes on without it.
  void keep(std::int64_t id, const std::map<std::string, subtask_state>& states) const;
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
  std::string checkpoint_dir(std::int64_t id) const;
  /// Why the copies of `restored.checkpoint_id` cannot stand in for it (empty: they can);
  /// fills `out`.
  std::string match(const checkpoint_metadata& restored,
                    std::map<std::string, local_keyed_copy>& out) const;

  std::string dir_;
  local_snapshot_owner owner_;
};

} // namespace sluice
