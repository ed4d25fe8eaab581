#include "sluice/checkpoint/metadata_file.hpp"

#include "sluice/checkpoint/checkpoint_error.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>

#include <fcntl.h>
#include <unistd.h>

namespace sluice {

namespace fs = std::filesystem;

namespace {

/// Applies `rewrite(path, shared)` to every state path of `m` (an empty operator-state path
/// means no state); `shared` is true for the shared files of incremental parts.
void rewrite_paths(checkpoint_metadata& m,
                   const std::function<std::string(const std::string&, bool)>& rewrite) {
  for (auto& [uid, op] : m.operators)
    for (auto& [index, s] : op.subtasks) {
      if (s.keyed_state)
        for (auto& part : s.keyed_state->parts) {
          part.path = rewrite(part.path, false);
          for (auto& f : part.shared)
            f.path = rewrite(f.path, true);
        }
      if (s.operator_state && !s.operator_state->path.empty())
        s.operator_state->path = rewrite(s.operator_state->path, false);
    }
}

/// `path` relative to `dir` when it lies inside it (or, for a shared file, inside the job
/// directory above it: `../shared/...`), else absolute.
std::string stored_path(const std::string& path, const fs::path& dir, bool shared) {
  const auto absolute = fs::absolute(path).lexically_normal();
  const auto relative = absolute.lexically_relative(dir);
  if (!relative.empty() && *relative.begin() != "..")
    return relative.string();
  const auto in_job = absolute.lexically_relative(dir.parent_path());
  if (shared && !in_job.empty() && *in_job.begin() != "..")
    return (fs::path("..") / in_job).string();
  return absolute.string();
}

[[noreturn]] void throw_errno(const std::string& what, const fs::path& file) {
  throw checkpoint_error("checkpoint metadata file '" + file.string() + "' cannot be " + what +
                         ": " + std::strerror(errno));
}

/// Writes `text` to a new file `file` and fsyncs it.
void write_synced(const fs::path& file, const std::string& text) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    throw_errno("created", file);
  auto fail = [&](const char* what) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    throw_errno(what, file);
  };
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno != EINTR)
      fail("written");
    done += n > 0 ? static_cast<std::size_t>(n) : 0;
  }
  if (::fsync(fd) != 0)
    fail("synced");
  if (::close(fd) != 0)
    throw_errno("closed", file);
}

/// Makes a rename inside `dir` durable.
void sync_dir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    throw_errno("made durable (opening its directory)", dir);
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced)
    throw_errno("made durable (syncing its directory)", dir);
}

} // namespace

void write_metadata_file(const fs::path& dir, const checkpoint_metadata& m) {
  const auto base = fs::absolute(dir).lexically_normal();
  auto stored = m;
  rewrite_paths(stored,
                [&](const std::string& p, bool shared) { return stored_path(p, base, shared); });
  const auto text = metadata_to_text(stored);

  const auto file = dir / metadata_file_name;
  const auto temp = dir / (std::string(metadata_file_name) + ".inprogress");
  try {
    write_synced(temp, text);
    if (::rename(temp.c_str(), file.c_str()) != 0)
      throw_errno("renamed into place", file);
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  sync_dir(dir);
}

checkpoint_metadata read_metadata_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw checkpoint_error("checkpoint metadata file '" + file.string() +
                           "' cannot be opened (missing or unreadable)");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad())
    throw checkpoint_error("checkpoint metadata file '" + file.string() + "' cannot be read");
  auto m = metadata_from_text(text, file.string());
  const auto dir = file.parent_path();
  rewrite_paths(m, [&](const std::string& p, bool) {
    return fs::path(p).is_absolute() ? p : (dir / p).lexically_normal().string();
  });
  return m;
}

void check_state_files(const checkpoint_metadata& m, const fs::path& metadata_file) {
  for (const auto& path : m.referenced_paths()) {
    std::error_code ec;
    if (!fs::exists(path, ec))
      throw checkpoint_error("state file '" + path + "' referenced by '" + metadata_file.string() +
                             "' is missing");
  }
  // A state file of another size is truncated or replaced (RocksDB checkpoint directories are
  // only checked to exist; bytes changed in place are caught by the files' checksums on read,
  // shared files' by their CRC-32 when a subtask restores them).
  auto check_size = [&](const std::string& path, std::uint64_t size) {
    std::error_code ec;
    const auto actual = fs::file_size(path, ec);
    if (!ec && actual != size)
      throw checkpoint_error("state file '" + path + "' referenced by '" + metadata_file.string() +
                             "' is corrupt: " + std::to_string(actual) + " bytes, " +
                             std::to_string(size) + " written");
  };
  for (const auto& [uid, op] : m.operators)
    for (const auto& [index, s] : op.subtasks) {
      if (s.keyed_state)
        for (const auto& p : s.keyed_state->parts) {
          if (p.kind == keyed_state_part::format::heap_key_groups)
            check_size(p.path, p.size_bytes);
          if (p.kind == keyed_state_part::format::heap_incremental)
            check_size(p.path, p.size_bytes - p.shared_bytes());
          for (const auto& f : p.shared)
            check_size(f.path, f.size_bytes);
        }
      if (s.operator_state && !s.operator_state->path.empty())
        check_size(s.operator_state->path, s.operator_state->size_bytes);
    }
}

} // namespace sluice
