#include "job_directories.hpp"

#include "sluice/actors/local_snapshot_store.hpp"
#include "sluice/operators/core/logging.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace sluice {

namespace fs = std::filesystem;

namespace {

/// Creates `dir` if missing and checks that a file can be written in it (as root, access()
/// would say yes to any directory, so a file is written); throws config_error naming `flag`.
/// Returns whether it existed.
bool prepare_dir(const std::string& flag, const std::string& dir) {
  auto unusable = [&](const std::string& why) {
    return config_error("flag " + flag + ": '" + dir + "' is unusable: " + why);
  };
  std::error_code ec;
  const bool existed = fs::exists(dir, ec);
  if (!existed && !fs::create_directories(dir, ec) && ec)
    throw unusable(ec.message());
  if (!fs::is_directory(dir, ec))
    throw unusable("not a directory");
  const auto probe = fs::path(dir) / (".sluice-write-test-" + std::to_string(::getpid()));
  int error = 0;
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    error = errno;
  } else {
    if (::write(fd, "x", 1) != 1)
      error = errno;
    if (::close(fd) != 0 && error == 0)
      error = errno;
  }
  fs::remove(probe, ec);
  if (error != 0)
    throw unusable("a file cannot be written in it: " + std::string(std::strerror(error)));
  return existed;
}

} // namespace

job_directories::job_directories(const job_config& config) {
  if (!config.checkpointing.checkpoint_dir.empty())
    prepare_dir("--checkpoint-dir", config.checkpointing.checkpoint_dir);
  const bool local_recovery =
      config.checkpointing.local_recovery && config.checkpointing.enabled();
  // A job with a checkpoint directory can be rescaled: the subtasks a rescale replaces keep
  // their hand-off copies under the state dir.
  const bool rescalable = !config.checkpointing.checkpoint_dir.empty();
  if (config.state.kind != state_backend_kind::rocksdb && !local_recovery && !rescalable)
    return;
  const auto& dir = config.state.state_dir;
  if (!prepare_dir("--state-dir", dir) && dir == default_state_dir())
    owned_state_dir_ = dir;
  if (local_recovery)
    copies_dirs_.push_back(local_snapshot_store::root(dir));
  if (rescalable)
    copies_dirs_.push_back(local_snapshot_store::root(dir, copy_purpose::rescale_handoff));
}

job_directories::~job_directories() {
  std::error_code ec;
  for (const auto& copies : copies_dirs_)
    fs::remove_all(copies, ec);
  if (owned_state_dir_.empty())
    return;
  fs::remove_all(owned_state_dir_, ec);
  if (ec)
    log()->warn("could not remove the state dir '{}': {}", owned_state_dir_, ec.message());
}

} // namespace sluice
