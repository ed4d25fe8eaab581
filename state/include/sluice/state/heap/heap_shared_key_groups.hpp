#pragma once
// Incremental heap snapshots: per key group, the shared file the backend last uploaded of its
// states' blocks. A snapshot writes a new file for each key group that changed (or has none in
// the job's shared directory) and references the files of the others, so a key group whose
// state did not change since the previous checkpoint is not written again.
//
// A file is referenced only once its upload completed, and only while its key group stayed
// unchanged since the snapshot that captured it: a key group flagged changed forgets its file
// at once (an upload still running for it no longer counts), and an upload that failed leaves
// its key group without a file, so the next snapshot writes it again.

#include "sluice/state/key_group_file.hpp"
#include "sluice/state/state_handle.hpp"

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace sluice {

/// The key group a shared file of a heap_incremental part holds (its local name); throws
/// state_error naming the file if the name is not a key group.
int shared_key_group(const shared_state_file& f);

/// The key groups one heap backend uploaded. Safe to use from the threads that run snapshots'
/// asynchronous parts.
class heap_shared_key_groups {
public:
  /// `name_prefix` starts every uploaded file's name (shared_name_prefix); `owner` names the
  /// operator subtask in errors; `range`: its key groups.
  heap_shared_key_groups(std::string owner, std::string name_prefix, key_group_range range);

  /// What one incremental snapshot writes and references.
  struct plan {
    std::int64_t checkpoint_id = 0;
    std::string shared_dir;
    std::vector<std::uint8_t> written;     ///< per key group of the range: 1 to write it
    std::vector<shared_state_file> reused; ///< the files of the others (with state)
  };
  /// Synchronous part: the key groups `dirty` flags (one byte per key group of the range) and
  /// those without an uploaded file in `shared_dir` are written; the others are referenced.
  plan plan_snapshot(std::int64_t checkpoint_id, const std::vector<std::uint8_t>& dirty,
                     const std::string& shared_dir);
  /// Asynchronous part: writes, for each key group `p` writes that `states` holds, a key-group
  /// file into the shared directory (fsynced, CRC-32 recorded), and `private_blocks` to `path`.
  /// Returns the part (format heap_incremental). Throws state_error naming a file that cannot
  /// be written.
  keyed_state_part upload(const plan& p, const key_group_file_builder& states,
                          const key_group_file_builder& private_blocks, const std::string& path);
  /// Takes the shared files of a restored heap_incremental part in the range as uploaded, so
  /// the next snapshot into the same shared directory references the unchanged key groups.
  void seed(const keyed_state_part& part);

private:
  struct key_group_upload {
    std::int64_t captured_by = -1;         ///< the checkpoint that last captured the key group
    std::optional<shared_state_file> file; ///< its upload, once complete
  };
  key_group_upload& at(int key_group) {
    return uploads_[static_cast<std::size_t>(key_group - range_.first)];
  }

  std::mutex mutex_;
  std::string owner_;
  std::string name_prefix_;
  key_group_range range_;
  std::vector<key_group_upload> uploads_;
};

} // namespace sluice
