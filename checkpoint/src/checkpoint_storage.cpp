#include "sluice/checkpoint/checkpoint_storage.hpp"

#include "sluice/checkpoint/checkpoint_error.hpp"
#include "sluice/checkpoint/metadata_file.hpp"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <system_error>

namespace sluice {

namespace fs = std::filesystem;

namespace {

constexpr const char* checkpoint_prefix = "chk-";

/// N of a directory named chk-N (N decimal digits without a leading zero), else nullopt.
std::optional<std::int64_t> parse_checkpoint_dir_name(const std::string& name) {
  const std::string prefix = checkpoint_prefix;
  if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size() ||
      name.size() > prefix.size() + 18)
    return std::nullopt;
  const auto digits = name.substr(prefix.size());
  if (digits[0] == '0' ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoll(digits);
}

/// Throws checkpoint_error naming `dir` if `ec` reports that it could not be `done`.
void check(const std::error_code& ec, const fs::path& dir, const char* done) {
  if (ec)
    throw checkpoint_error("checkpoint directory '" + dir.string() + "' cannot be " + done + ": " +
                           ec.message());
}

void remove_dir(const fs::path& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  check(ec, dir, "removed");
}

/// The shared files `m` references, as absolute, normal paths.
std::set<std::string> shared_paths(const checkpoint_metadata& m) {
  std::set<std::string> out;
  for (const auto& f : m.shared_files())
    out.insert(fs::absolute(f.path).lexically_normal().string());
  return out;
}

/// Removes `path` if it lies in `shared_dir` (a checkpoint restored from another job's
/// directory may reference files this job must not touch).
void remove_shared_file(const std::string& path, const fs::path& shared_dir) {
  if (fs::path(path).parent_path() != fs::absolute(shared_dir).lexically_normal())
    return;
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec)
    throw checkpoint_error("shared state file '" + path + "' cannot be removed: " + ec.message());
}

void make_dirs(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  check(ec, dir, "created");
}

/// Throws checkpoint_error unless `job_id` can name a directory under `dir`.
void check_job_id(const std::string& job_id, const fs::path& dir) {
  if (job_id.empty() || job_id == "." || job_id == ".." || job_id.find('/') != std::string::npos)
    throw checkpoint_error("job id '" + job_id + "' cannot name a directory under '" +
                           dir.string() + "'");
}

} // namespace

checkpoint_storage::checkpoint_storage(fs::path checkpoint_dir, std::string job_id)
    : job_id_(std::move(job_id)) {
  check_job_id(job_id_, checkpoint_dir);
  job_dir_ = checkpoint_dir / job_id_;
}

fs::path checkpoint_storage::checkpoint_path(std::int64_t checkpoint_id) const {
  return job_dir_ / (checkpoint_prefix + std::to_string(checkpoint_id));
}

fs::path checkpoint_storage::create_pending(std::int64_t checkpoint_id) {
  const auto dir = checkpoint_path(checkpoint_id);
  std::error_code ec;
  if (fs::exists(dir / metadata_file_name, ec))
    throw checkpoint_error("checkpoint directory '" + dir.string() +
                           "' already holds a completed checkpoint");
  remove_dir(dir);
  make_dirs(dir);
  make_dirs(shared_dir());
  return dir;
}

void checkpoint_storage::write_metadata(const checkpoint_metadata& m) {
  const auto dir = checkpoint_path(m.checkpoint_id);
  if (m.job_id != job_id_ || m.kind != snapshot_kind::checkpoint)
    throw checkpoint_error("metadata of " + std::string(to_string(m.kind)) + " " +
                           std::to_string(m.checkpoint_id) + " of job '" + m.job_id +
                           "' does not belong in '" + dir.string() + "'");
  write_metadata_file(dir, m);
  references_[m.checkpoint_id] = shared_paths(m);
}

void checkpoint_storage::discard(std::int64_t checkpoint_id) {
  remove_dir(checkpoint_path(checkpoint_id));
  references_.erase(checkpoint_id);
}

const std::optional<std::set<std::string>>&
checkpoint_storage::shared_references(std::int64_t checkpoint_id) {
  auto it = references_.find(checkpoint_id);
  if (it != references_.end())
    return it->second;
  std::optional<std::set<std::string>> paths;
  try {
    paths = shared_paths(read_metadata_file(checkpoint_path(checkpoint_id) / metadata_file_name));
  } catch (const checkpoint_error&) {
  }
  return references_.emplace(checkpoint_id, std::move(paths)).first->second;
}

std::vector<std::pair<std::int64_t, bool>> checkpoint_storage::checkpoint_dirs() const {
  std::vector<std::pair<std::int64_t, bool>> out;
  std::error_code ec;
  for (fs::directory_iterator it(job_dir_, ec), end; !ec && it != end; it.increment(ec)) {
    auto id = parse_checkpoint_dir_name(it->path().filename().string());
    std::error_code type_ec;
    if (id && it->is_directory(type_ec))
      out.emplace_back(*id, fs::is_regular_file(it->path() / metadata_file_name, type_ec));
  }
  if (ec && ec != std::errc::no_such_file_or_directory)
    check(ec, job_dir_, "listed");
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::int64_t> checkpoint_storage::completed_checkpoints() const {
  std::vector<std::int64_t> out;
  for (const auto& [id, completed] : checkpoint_dirs())
    if (completed)
      out.push_back(id);
  return out;
}

std::optional<std::int64_t> checkpoint_storage::highest_checkpoint_id() const {
  const auto dirs = checkpoint_dirs();
  if (dirs.empty())
    return std::nullopt;
  return dirs.back().first;
}

std::vector<std::int64_t> checkpoint_storage::apply_retention(int retained) {
  if (retained < 1)
    throw checkpoint_error("at least one completed checkpoint must be retained, not " +
                           std::to_string(retained));
  auto completed = completed_checkpoints();
  const auto excess = completed.size() > static_cast<std::size_t>(retained)
                          ? completed.size() - static_cast<std::size_t>(retained)
                          : 0;
  std::set<std::string> needed;
  bool known = true;
  for (auto it = completed.begin() + static_cast<std::ptrdiff_t>(excess); it != completed.end();
       ++it) {
    const auto& paths = shared_references(*it);
    known = known && paths;
    if (paths)
      needed.insert(paths->begin(), paths->end());
  }
  completed.resize(excess);
  std::set<std::string> unneeded;
  for (auto id : completed) {
    if (const auto& paths = shared_references(id))
      std::set_difference(paths->begin(), paths->end(), needed.begin(), needed.end(),
                          std::inserter(unneeded, unneeded.end()));
    discard(id);
  }
  // The checkpoints go first: a crash in between leaves unreferenced files, which the sweep
  // at the next start removes, never a checkpoint without its files.
  if (known)
    for (const auto& path : unneeded)
      remove_shared_file(path, shared_dir());
  return completed;
}

std::vector<fs::path> checkpoint_storage::sweep_shared() {
  references_.clear();
  std::set<std::string> needed;
  for (auto id : completed_checkpoints()) {
    const auto file = checkpoint_path(id) / metadata_file_name;
    const auto paths = shared_paths(read_metadata_file(file));
    needed.insert(paths.begin(), paths.end());
    references_[id] = paths;
  }
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(shared_dir(), ec), end; !ec && it != end; it.increment(ec))
    if (auto path = fs::absolute(it->path()).lexically_normal(); !needed.count(path.string()))
      out.push_back(std::move(path));
  if (ec && ec != std::errc::no_such_file_or_directory)
    check(ec, shared_dir(), "listed");
  std::sort(out.begin(), out.end());
  for (const auto& path : out)
    remove_shared_file(path.string(), shared_dir());
  return out;
}

std::vector<std::int64_t> checkpoint_storage::discard_incomplete() {
  std::vector<std::int64_t> out;
  for (const auto& [id, completed] : checkpoint_dirs())
    if (!completed) {
      discard(id);
      out.push_back(id);
    }
  return out;
}

fs::path create_savepoint_dir(const fs::path& parent, const std::string& job_id,
                              std::int64_t checkpoint_id) {
  check_job_id(job_id, parent);
  make_dirs(parent);
  const auto dir = parent / ("savepoint-" + job_id + "-" + std::to_string(checkpoint_id));
  std::error_code ec;
  if (!fs::create_directory(dir, ec))
    throw checkpoint_error("savepoint directory '" + dir.string() + "' cannot be created: " +
                           (ec ? ec.message() : std::string("it exists already")));
  return dir;
}

} // namespace sluice
