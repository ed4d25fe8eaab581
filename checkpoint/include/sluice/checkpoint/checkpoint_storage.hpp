#pragma once
// Where the checkpoints of one job live (DESIGN.md, Checkpoints):
//   <checkpoint-dir>/<job-id>/chk-N/{_metadata, state files}
//   <checkpoint-dir>/<job-id>/shared/   (files several incremental checkpoints reference)
// A shared file is removed once no retained checkpoint references it (apply_retention), and
// one no completed checkpoint references at all is swept at start (sweep_shared).
// A checkpoint is completed when its chk-N directory holds a `_metadata`; one without is
// pending or abandoned. Savepoints are self-contained directories `savepoint-<job-id>-<id>` under a
// directory the user names, holding the same `_metadata` and their own state files.

#include "sluice/checkpoint/checkpoint_metadata.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sluice {

class checkpoint_storage {
public:
  /// Throws checkpoint_error unless `job_id` is usable as one directory name (not empty, no
  /// '/', not "." or "..").
  checkpoint_storage(std::filesystem::path checkpoint_dir, std::string job_id);

  const std::string& job_id() const { return job_id_; }
  /// `<checkpoint-dir>/<job-id>`.
  const std::filesystem::path& job_dir() const { return job_dir_; }
  /// `<checkpoint-dir>/<job-id>/shared`.
  std::filesystem::path shared_dir() const { return job_dir_ / "shared"; }
  /// `<checkpoint-dir>/<job-id>/chk-<id>`.
  std::filesystem::path checkpoint_path(std::int64_t checkpoint_id) const;

  /// Creates the directory of pending checkpoint `checkpoint_id` (and shared/), where subtasks
  /// write their state; returns it. A leftover chk-N without `_metadata` (a crash) is emptied
  /// first. Throws checkpoint_error naming the directory if it holds a completed checkpoint or
  /// cannot be created.
  std::filesystem::path create_pending(std::int64_t checkpoint_id);
  /// Completes the checkpoint `m` describes: writes `chk-<id>/_metadata` atomically. Throws
  /// checkpoint_error if `m` is of another job or kind, or the file cannot be written.
  void write_metadata(const checkpoint_metadata& m);
  /// Removes chk-<id> with everything in it (a failed, aborted or retired checkpoint); nothing
  /// happens if it does not exist. Throws checkpoint_error naming what cannot be removed.
  void discard(std::int64_t checkpoint_id);

  /// Ids of the completed checkpoints (chk-N directories holding a `_metadata`), ascending.
  std::vector<std::int64_t> completed_checkpoints() const;
  /// The highest N of any chk-N directory, completed or not (the next checkpoint id must exceed
  /// it, so nothing is overwritten).
  std::optional<std::int64_t> highest_checkpoint_id() const;
  /// Keeps the newest `retained` (>= 1) completed checkpoints and discards the older ones, then
  /// removes the files in shared/ that discarded ones referenced and no kept one does (none if
  /// a kept one's `_metadata` cannot be read: the sweep at the next start takes them); returns
  /// the ids discarded, ascending.
  std::vector<std::int64_t> apply_retention(int retained);
  /// Discards every chk-N directory without `_metadata` (left by a crash or a failed
  /// checkpoint); call when none is pending. Returns the ids discarded, ascending.
  std::vector<std::int64_t> discard_incomplete();
  /// Rebuilds the references from every completed checkpoint's `_metadata` and removes every
  /// file in shared/ that none references (left by a crash, or by checkpoints that failed).
  /// Call only while no subtask of the job runs: a running backend may reference a file it
  /// uploaded for a checkpoint that failed. Returns the files removed, sorted. Throws
  /// checkpoint_error naming a `_metadata` that cannot be read, removing nothing.
  std::vector<std::filesystem::path> sweep_shared();

private:
  /// Ids of every chk-N directory, ascending, and whether each is completed.
  std::vector<std::pair<std::int64_t, bool>> checkpoint_dirs() const;
  /// The shared files chk-<id> references (absolute paths), read from its `_metadata` once;
  /// nullopt when it cannot be read.
  const std::optional<std::set<std::string>>& shared_references(std::int64_t checkpoint_id);

  std::string job_id_;
  std::filesystem::path job_dir_;
  std::map<std::int64_t, std::optional<std::set<std::string>>> references_;
};

/// Creates the directory of savepoint `checkpoint_id` of job `job_id`:
/// `<parent>/savepoint-<job_id>-<checkpoint_id>` (`parent` created if missing); returns it.
/// Throws checkpoint_error naming the directory when it exists already or cannot be created.
std::filesystem::path create_savepoint_dir(const std::filesystem::path& parent,
                                           const std::string& job_id,
                                           std::int64_t checkpoint_id);

} // namespace sluice
