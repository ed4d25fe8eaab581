#include "sluice/state/local_state_copy.hpp"

#include "sluice/state/rocksdb/rocksdb_shared_files.hpp"
#include "sluice/state/state_error.hpp"

#include <filesystem>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;

namespace sluice {

namespace {

std::string file_name(const std::string& path) { return fs::path(path).filename().string(); }

bool same_file_name(const std::string& a, const std::string& b) {
  return file_name(a) == file_name(b);
}

/// The copy of one part in `dir`.
keyed_state_part copy_part(const std::string& owner, const keyed_state_part& part,
                           const std::string& dir) {
  const auto target = (fs::path(dir) / file_name(part.path)).string();
  keyed_state_part copy{keyed_state_part::format::rocksdb_checkpoint, target, part.range,
                        part.size_bytes};
  if (part.kind == keyed_state_part::format::heap_key_groups) {
    copy.kind = part.kind;
    link_or_copy(owner, part.path, target);
    return copy;
  }
  if (part.kind == keyed_state_part::format::heap_incremental) {
    // The private file and every key group file it references, side by side in `dir`.
    copy.kind = part.kind;
    copy.reused_bytes = part.reused_bytes;
    link_or_copy(owner, part.path, target);
    for (auto f : part.shared) {
      const auto from = f.path;
      f.path = (fs::path(dir) / file_name(from)).string();
      link_or_copy(owner, from, f.path);
      copy.shared.push_back(f);
    }
    return copy;
  }
  require_rocksdb_checkpoint(owner, part.path);
  std::error_code ec;
  fs::create_directory(target, ec);
  if (ec)
    throw state_error("operator '" + owner + "': cannot create '" + target + "': " +
                      ec.message());
  put_files(owner, part.path, target);
  for (const auto& f : part.shared)
    link_or_copy(owner, f.path, fs::path(target) / f.local_name);
  return copy;
}

} // namespace

keyed_state_handle copy_keyed_state(const std::string& owner,
                                    const keyed_state_handle& checkpointed,
                                    const std::string& dir) {
  keyed_state_handle copy{checkpointed.backend, checkpointed.range, {}};
  for (const auto& part : checkpointed.parts)
    copy.parts.push_back(copy_part(owner, part, dir));
  return copy;
}

bool same_snapshot(const keyed_state_handle& a, const keyed_state_handle& b) {
  return same_keyed_state(a, b, same_file_name);
}

std::string local_copy_problem(const keyed_state_handle& local) {
  for (const auto& part : local.parts) {
    std::error_code ec;
    const bool heap_shared = part.kind == keyed_state_part::format::heap_incremental;
    const bool is_dir = part.kind != keyed_state_part::format::heap_key_groups && !heap_shared;
    if (is_dir ? !fs::is_regular_file(fs::path(part.path) / "CURRENT", ec)
               : !fs::is_regular_file(part.path, ec))
      return "'" + part.path + "' is missing";
    const auto size = is_dir ? directory_size(part.path) : fs::file_size(part.path, ec);
    const auto expected = heap_shared ? part.size_bytes - part.shared_bytes() : part.size_bytes;
    if (ec || size != expected)
      return "'" + part.path + "' holds " + std::to_string(size) + " bytes, " +
             std::to_string(expected) + " expected";
    for (const auto& f : heap_shared ? part.shared : std::vector<shared_state_file>{}) {
      const auto shared_size = fs::file_size(f.path, ec);
      if (ec || shared_size != f.size_bytes)
        return "'" + f.path + "' is missing or not of its " + std::to_string(f.size_bytes) +
               " bytes";
    }
  }
  return {};
}

} // namespace sluice
