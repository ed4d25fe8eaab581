#pragma once
// What `_metadata` records of one completed checkpoint or savepoint: the job, the id, and per
// operator (by uid) its parallelism and, per subtask, the handles of the state it wrote plus
// opaque named blobs (in-flight channel data of unaligned checkpoints, source positions, ...).
// The JSON form carries a format version and a CRC-32 of its content, so a truncated, edited
// or bit-flipped file is reported instead of being misread.

#include "sluice/state/state_handle.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice {

/// A periodic checkpoint (owned and retained by the engine) or a savepoint (owned by the user).
enum class snapshot_kind { checkpoint, savepoint };

/// "checkpoint" or "savepoint".
const char* to_string(snapshot_kind kind);

/// What one operator subtask acknowledged.
struct subtask_state {
  std::optional<keyed_state_handle> keyed_state;
  std::optional<operator_state_handle> operator_state;
  /// Opaque bytes by name; stored base64-encoded in JSON.
  std::map<std::string, std::string> blobs;

  /// Bytes of the state files its handles reference.
  std::uint64_t state_size_bytes() const;
  /// Bytes of them the snapshot wrote (less when shared files were uploaded before).
  std::uint64_t written_bytes() const;

  friend bool operator==(const subtask_state& a, const subtask_state& b);
  friend bool operator!=(const subtask_state& a, const subtask_state& b) { return !(a == b); }
};

/// One operator at the checkpoint.
struct operator_snapshot {
  int parallelism = 1;
  int max_parallelism = 1;
  /// By subtask index (0 <= index < parallelism); a subtask without state may be absent.
  std::map<int, subtask_state> subtasks;

  friend bool operator==(const operator_snapshot& a, const operator_snapshot& b) {
    return a.parallelism == b.parallelism && a.max_parallelism == b.max_parallelism &&
           a.subtasks == b.subtasks;
  }
};

struct checkpoint_metadata {
  std::string job_id;
  std::int64_t checkpoint_id = 0;
  snapshot_kind kind = snapshot_kind::checkpoint;
  std::int64_t timestamp_ms = 0; ///< when it was triggered
  std::string state_backend;     ///< "heap" or "rocksdb"
  /// By operator uid.
  std::map<std::string, operator_snapshot> operators;

  /// Bytes of every state file referenced.
  std::uint64_t state_size_bytes() const;
  /// Every state file or directory the handles reference (keyed parts, the shared files of
  /// incremental parts, operator state files).
  std::vector<std::string> referenced_paths() const;
  /// The shared files of every incremental part (a file several subtasks share appears once
  /// per subtask).
  std::vector<shared_state_file> shared_files() const;

  friend bool operator==(const checkpoint_metadata& a, const checkpoint_metadata& b);
};

/// The version written into `_metadata`; reading refuses any other.
inline constexpr int metadata_format_version = 1;

/// JSON form (with format version and checksum); nlohmann finds these by ADL.
void to_json(nlohmann::json& j, const checkpoint_metadata& m);
/// Throws checkpoint_error saying which field is missing, mistyped or out of range, or that the
/// checksum does not match.
void from_json(const nlohmann::json& j, checkpoint_metadata& m);

/// One subtask's state as compact JSON text (what a subtask's acknowledgement carries to the
/// job manager; the same form as in `_metadata`, subtask `index`).
std::string subtask_state_to_text(const subtask_state& s, int index);
/// Parses subtask_state_to_text's output; throws checkpoint_error naming the field.
subtask_state subtask_state_from_text(const std::string& text, int index, int max_parallelism);

/// The text of `_metadata` for `m` (indented JSON).
std::string metadata_to_text(const checkpoint_metadata& m);
/// Parses the text of a `_metadata` file; throws checkpoint_error naming `source` (the file)
/// when it is not JSON, truncated, corrupt or not valid metadata.
checkpoint_metadata metadata_from_text(const std::string& text, const std::string& source);

} // namespace sluice
