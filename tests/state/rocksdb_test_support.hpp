#pragma once
// What the RocksDB backend tests share: a temp dir per test and backends in it.

#include "../temp_dir.hpp"
#include "sluice/state/get_keyed_state.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace rocksdb_test {

using temp_dir = sluice::test::temp_dir;

inline constexpr int max_parallelism = 128;

inline sluice::state_backend_config
config(const temp_dir& dir, const sluice::ttl_clock& clock = sluice::system_ttl_clock::instance()) {
  sluice::state_backend_config c;
  c.kind = sluice::state_backend_kind::rocksdb;
  c.state_dir = dir / "state";
  c.memory_mb = 16;
  c.clock = &clock;
  return c;
}

/// The backend of subtask `index` of `parallelism`.
inline std::unique_ptr<sluice::keyed_state_backend> backend(const sluice::state_backend_config& c,
                                                            int parallelism = 1, int index = 0) {
  return sluice::make_keyed_state_backend(
      c, "count (" + std::to_string(index + 1) + "/" + std::to_string(parallelism) + ")",
      sluice::key_group_range_for_subtask(max_parallelism, parallelism, index), max_parallelism);
}

/// Inverts the byte in the middle of the file at `path`, keeping its size.
inline void flip_middle_byte(const std::string& path) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  const auto middle = static_cast<std::streamoff>(std::filesystem::file_size(path) / 2);
  file.seekg(middle);
  const char byte = static_cast<char>(file.get());
  file.seekp(middle);
  file.put(static_cast<char>(~byte));
}

/// Matches an error message that names `what` in quotes.
inline doctest::Contains names(const std::string& what) {
  return doctest::Contains(("'" + what + "'").c_str());
}

} // namespace rocksdb_test
