#include "sluice/checkpoint/restore_point.hpp"

#include "sluice/checkpoint/checkpoint_error.hpp"
#include "sluice/checkpoint/checkpoint_storage.hpp"
#include "sluice/checkpoint/metadata_file.hpp"

namespace sluice {

namespace fs = std::filesystem;

namespace {

restore_point read_explicit(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw checkpoint_error("restore path '" + path.string() + "' does not exist");
  const auto file = fs::is_directory(path, ec) ? path / metadata_file_name : path;
  if (file != path && !fs::exists(file, ec))
    throw checkpoint_error("restore path '" + path.string() + "' holds no " + metadata_file_name +
                           " (not a completed checkpoint or savepoint)");
  restore_point out{file, read_metadata_file(file), {}};
  check_state_files(out.metadata, file);
  return out;
}

/// Reads and checks chk-<id> of `storage`; throws checkpoint_error saying why it is unusable.
restore_point read_completed(const checkpoint_storage& storage, std::int64_t id) {
  const auto file = storage.checkpoint_path(id) / metadata_file_name;
  restore_point out{file, read_metadata_file(file), {}};
  const auto& m = out.metadata;
  if (m.job_id != storage.job_id() || m.checkpoint_id != id || m.kind != snapshot_kind::checkpoint)
    throw checkpoint_error("checkpoint metadata file '" + file.string() + "' describes " +
                           to_string(m.kind) + " " + std::to_string(m.checkpoint_id) + " of job '" +
                           m.job_id + "'");
  check_state_files(m, file);
  return out;
}

restore_point read_latest(const fs::path& checkpoint_dir, const std::string& job_id) {
  if (checkpoint_dir.empty())
    throw checkpoint_error("--restore latest needs --checkpoint-dir (where to look)");
  const checkpoint_storage storage(checkpoint_dir, job_id);
  const auto completed = storage.completed_checkpoints();
  std::vector<std::string> warnings;
  std::string reasons;
  for (auto it = completed.rbegin(); it != completed.rend(); ++it) {
    try {
      auto out = read_completed(storage, *it);
      out.warnings = std::move(warnings);
      return out;
    } catch (const checkpoint_error& e) {
      const auto name = "chk-" + std::to_string(*it);
      reasons += "; " + name + ": " + e.what();
      warnings.push_back("checkpoint " + name + " is unusable, " +
                         (std::next(it) == completed.rend()
                              ? std::string("and no older one is left")
                              : "falling back to chk-" + std::to_string(*std::next(it))) +
                         ": " + e.what());
    }
  }
  if (completed.empty())
    throw checkpoint_error("no completed checkpoint of job '" + job_id + "' in '" +
                           storage.job_dir().string() + "' to restore (--restore latest)");
  throw checkpoint_error("no usable completed checkpoint of job '" + job_id + "' in '" +
                         storage.job_dir().string() + "' (--restore latest)" + reasons);
}

} // namespace

restore_point resolve_restore(const std::string& spec, const fs::path& checkpoint_dir,
                              const std::string& job_id) {
  if (spec == "latest")
    return read_latest(checkpoint_dir, job_id);
  return read_explicit(spec);
}

} // namespace sluice
