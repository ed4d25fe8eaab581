#pragma once
// A rescale's hand-off of keyed state (docs/cluster.md, "Rescaling a running job"): a subtask
// the rescale replaces keeps a copy of its snapshot at the rescale's checkpoint under its task
// manager's state dir (local_snapshot_store with copy_purpose::rescale_handoff). Its successors
// restore the key groups they take from those copies, read in place on the same task manager
// and fetched from the task manager that kept them otherwise; the checkpoint directory is read
// only for what no usable copy holds. The copies go once the job completed a later checkpoint.

#include "sluice/checkpoint/checkpoint_metadata.hpp"
#include "sluice/state/key_group.hpp"
#include "sluice/state/state_handle.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sluice {

/// The files of one copy, relative to its directory, and their sizes: what a peer fetches.
struct copy_listing {
  std::vector<std::string> files;
  std::vector<std::uint64_t> sizes;
};

/// Lists the copy in `dir`; throws std::runtime_error naming it if it is missing.
copy_listing list_copy(const std::string& dir);
/// Up to `length` bytes of `file` (relative to the copy `dir`, as list_copy names it) from
/// `offset`; fewer at its end. Throws std::runtime_error naming the file if it lies outside the
/// copy or cannot be read.
std::vector<char> read_copy_chunk(const std::string& dir, const std::string& file,
                                  std::uint64_t offset, std::uint32_t length);
/// Removes the hand-off copies of job `job_id` under `root` of checkpoints up to `id`.
void drop_handoff_copies(const std::string& root, const std::string& job_id, std::int64_t id);

/// Whether subtask `subtask` of operator `uid` in `restored` has keyed state holding key groups
/// of `range`.
bool holds_key_groups(const checkpoint_metadata& restored, const std::string& uid, int subtask,
                      key_group_range range);

/// The keyed state a restore takes from hand-off copies instead of the checkpoint directory: by
/// operator uid, then by the index of the subtask that wrote it, the copy's handle.
using handoff_handles = std::map<std::string, std::map<int, keyed_state_handle>>;

/// The copies in `dirs` (copy directories, local or fetched) that stand in for the keyed state
/// `restored` holds of operators `uids` (check_copy). Appends to `problems` why a copy that
/// holds one of them cannot be used.
handoff_handles match_handoff_copies(const std::vector<std::string>& dirs,
                                     const checkpoint_metadata& restored,
                                     const std::vector<std::string>& uids,
                                     std::vector<std::string>& problems);

/// Makes `restored` name the copies' handles in place of the keyed state they copy (what a
/// restore reads from then on); returns how many it replaced.
int substitute_handoff_copies(checkpoint_metadata& restored, const handoff_handles& handles);

/// How the restores of this process took the keyed state of subtasks a rescale replaced.
struct handoff_counts {
  int from_copies = 0;         ///< old subtasks' states restored from hand-off copies
  int fetched = 0;             ///< of those, copies fetched from another task manager
  int from_checkpoint_dir = 0; ///< old subtasks' states read from the checkpoint directory
  /// Old subtasks whose moved key groups were ingested from files they prepared before the
  /// stop (keyed_state_backend::prepare_handoff), not copied entry by entry after it.
  int ingested = 0;
};
handoff_counts handoff_restores();
/// Adds to handoff_restores().
void count_handoff_restores(const handoff_counts& add);

} // namespace sluice
