#pragma once
// Keyed state for operators driven by hand in a test: a backend as the runtime makes one for a
// keyed operator's subtask (by default the only one, with all 128 key groups), the backends
// tests run on, and a scratch directory for snapshots.

#include "sluice/state/keyed_state_backends.hpp"

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

namespace sluice::test {

inline constexpr int test_max_parallelism = 128;

/// A fresh directory under the system temp dir, removed with its contents at scope exit.
class scratch_dir {
public:
  scratch_dir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("sluice-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~scratch_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  std::string path() const { return path_.string(); }

private:
  std::filesystem::path path_;
};

/// A backend of `kind` owning `range`, as the runtime makes one for a keyed operator's subtask.
inline std::unique_ptr<keyed_state_backend> make_test_keyed_state_backend(
    state_backend_kind kind = state_backend_kind::heap,
    key_group_range range = {0, test_max_parallelism - 1}) {
  state_backend_config config;
  config.kind = kind;
  static const scratch_dir state_dir; // RocksDB instances live here; removed at exit
  config.state_dir = state_dir.path();
  return make_keyed_state_backend(config, "window (1/1)", range, test_max_parallelism);
}

/// The backends state tests run on: results must not depend on the backend.
inline const std::vector<state_backend_kind> test_backend_kinds = {state_backend_kind::heap,
                                                                   state_backend_kind::rocksdb};

} // namespace sluice::test
