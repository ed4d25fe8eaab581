#include "state_directory.hpp"

#include "sluice/operators/job_config.hpp"
#include "sluice/operators/logging.hpp"

#include <filesystem>
#include <system_error>

#include <unistd.h>

namespace sluice {

namespace fs = std::filesystem;

state_directory::state_directory(const state_backend_config& config) {
  if (config.kind != state_backend_kind::rocksdb)
    return;
  const auto& dir = config.state_dir;
  auto unusable = [&](const std::string& why) {
    return config_error("flag --state-dir: '" + dir + "' is unusable: " + why);
  };
  std::error_code ec;
  const bool existed = fs::exists(dir, ec);
  if (!existed && !fs::create_directories(dir, ec) && ec)
    throw unusable(ec.message());
  if (!fs::is_directory(dir, ec))
    throw unusable("not a directory");
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw unusable("not writable");
  if (!existed && dir == default_state_dir())
    owned_ = dir;
}

state_directory::~state_directory() {
  if (owned_.empty())
    return;
  std::error_code ec;
  fs::remove_all(owned_, ec);
  if (ec)
    log()->warn("could not remove the state dir '{}': {}", owned_, ec.message());
}

} // namespace sluice
