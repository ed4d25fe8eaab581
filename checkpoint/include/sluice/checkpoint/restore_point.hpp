#pragma once
// What `--restore PATH|latest` starts a job from. PATH is a checkpoint or savepoint directory or
// its `_metadata` file; `latest` is the newest completed checkpoint of the job under
// `--checkpoint-dir` that can be read and whose state files all exist, falling back to older
// ones (each fallback reported as a warning) when the newest is corrupt or incomplete.

#include "sluice/checkpoint/checkpoint_metadata.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace sluice {

struct restore_point {
  std::filesystem::path metadata_file;
  checkpoint_metadata metadata;
  /// Newer checkpoints passed over and why (for the log); empty for an explicit PATH.
  std::vector<std::string> warnings;
};

/// Resolves `spec` ("latest" or a path). For a path: throws checkpoint_error naming it when it
/// does not exist, naming the `_metadata` file when that is missing or unreadable, and naming a
/// missing state file. For "latest": `checkpoint_dir` must not be empty; throws checkpoint_error
/// naming the job's directory when no completed checkpoint there is usable (with each one's
/// reason).
restore_point resolve_restore(const std::string& spec, const std::filesystem::path& checkpoint_dir,
                              const std::string& job_id);

} // namespace sluice
