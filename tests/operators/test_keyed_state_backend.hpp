#pragma once
// Keyed state for operators driven by hand in a test: a backend as the runtime makes one for a
// keyed operator's subtask (by default the only one, with all 128 key groups), the backends
// tests run on (temp_dir.hpp gives a scratch directory for snapshots).

#include "../temp_dir.hpp"
#include "sluice/state/get_keyed_state.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace sluice::test {

inline constexpr int test_max_parallelism = 128;

/// A backend of `kind` owning `range`, as the runtime makes one for a keyed operator's subtask.
inline std::unique_ptr<keyed_state_backend> make_test_keyed_state_backend(
    state_backend_kind kind = state_backend_kind::heap,
    key_group_range range = {0, test_max_parallelism - 1}) {
  state_backend_config config;
  config.kind = kind;
  static const temp_dir state_dir; // RocksDB instances live here; removed at exit
  config.state_dir = state_dir.str();
  return make_keyed_state_backend(config, "window (1/1)", range, test_max_parallelism);
}

/// The backends state tests run on: results must not depend on the backend.
inline const std::vector<state_backend_kind> test_backend_kinds = {state_backend_kind::heap,
                                                                   state_backend_kind::rocksdb};

} // namespace sluice::test
