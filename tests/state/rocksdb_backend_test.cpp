// The RocksDB backend's directories (an instance opened at first use) and its shared memory
// budget.

#include "rocksdb_test_support.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

using namespace sluice;
using rocksdb_test::temp_dir;

namespace {

/// Writes 1 KiB values for the keys of 0..999 that `b` owns into state "v"; returns the bytes.
std::size_t write_kib_values(keyed_state_backend& b) {
  auto& state = b.get_state(value_state_descriptor<std::string>("v"));
  std::size_t bytes = 0;
  for (std::int64_t k = 0; k < 1000; ++k) {
    if (!b.key_groups().contains(key_group_of(k, rocksdb_test::max_parallelism)))
      continue;
    b.set_current_key(k);
    state.update(std::string(1024, 'x'));
    bytes += 1024;
  }
  return bytes;
}

} // namespace

TEST_CASE("rocksdb instance lives in its own directory under the state dir, opened at first "
          "use, removed with it") {
  temp_dir dir;
  auto c = rocksdb_test::config(dir);
  c.state_dir = dir / "a/b/state";
  std::string first;
  {
    auto b = rocksdb_test::backend(c);
    auto second = rocksdb_test::backend(c);
    auto& r = static_cast<rocksdb_keyed_state_backend&>(*b);
    first = r.instance_dir();
    CHECK(std::filesystem::path(first).parent_path() == c.state_dir);
    CHECK(std::filesystem::path(first).filename().string().rfind("count__1_1_-", 0) == 0);
    CHECK(first != static_cast<rocksdb_keyed_state_backend&>(*second).instance_dir());
    // RocksDB opens the instance when it is first used (a restore would open its files there).
    CHECK(std::filesystem::is_directory(first));
    CHECK_FALSE(std::filesystem::exists(std::filesystem::path(first) / "CURRENT"));
    b->get_state(value_state_descriptor<std::string>("v"));
    CHECK(std::filesystem::exists(std::filesystem::path(first) / "CURRENT"));
  }
  CHECK_FALSE(std::filesystem::exists(first));
  CHECK(std::filesystem::is_empty(c.state_dir));
}

TEST_CASE("rocksdb instances compact in the style of their shared resources") {
  // RocksDB records the options an instance opened with in its OPTIONS file.
  const auto style_of = [](keyed_state_backend& b) {
    const std::filesystem::path dir = static_cast<rocksdb_keyed_state_backend&>(b).instance_dir();
    std::string style;
    for (const auto& f : std::filesystem::directory_iterator(dir)) {
      if (f.path().filename().string().rfind("OPTIONS-", 0) != 0)
        continue;
      std::ifstream in(f.path());
      for (std::string line; std::getline(in, line);)
        if (line.find("compaction_style=") != std::string::npos)
          style = line.substr(line.find('=') + 1);
    }
    return style;
  };
  temp_dir dir;
  auto c = rocksdb_test::config(dir);
  c.rocksdb_resources = make_rocksdb_shared_resources(32);
  auto universal = rocksdb_test::backend(c);
  write_kib_values(*universal);
  CHECK(style_of(*universal) == "kCompactionStyleUniversal");
  c.rocksdb_resources = make_rocksdb_shared_resources(32, rocksdb_compaction::level);
  auto level = rocksdb_test::backend(c);
  write_kib_values(*level);
  CHECK(style_of(*level) == "kCompactionStyleLevel");
}

TEST_CASE("rocksdb backend with an unusable state dir names it") {
  temp_dir dir;
  std::ofstream(dir / "file") << "a file, not a directory";
  auto c = rocksdb_test::config(dir);
  c.state_dir = dir / "file/state";
  CHECK_THROWS_WITH_AS(rocksdb_test::backend(c), rocksdb_test::names(c.state_dir), state_error);
}

TEST_CASE("rocksdb backends share one memory budget through the config") {
  temp_dir dir;
  auto c = rocksdb_test::config(dir);
  c.rocksdb_resources = make_rocksdb_shared_resources(32);
  c.cache_entries = 0; // every write goes to a memtable at once
  auto a = rocksdb_test::backend(c, 2, 0);
  auto b = rocksdb_test::backend(c, 2, 1);
  auto& resources = static_cast<rocksdb_keyed_state_backend&>(*a).shared_resources();
  CHECK(&resources == c.rocksdb_resources.get());
  CHECK(&static_cast<rocksdb_keyed_state_backend&>(*b).shared_resources() == &resources);
  CHECK(rocksdb_memory_budget(resources) == 32u << 20);
  // Memtables are charged to the shared cache: writes to either instance show in its usage.
  const auto before = rocksdb_memory_usage(resources);
  const auto written_a = write_kib_values(*a);
  const auto after_a = rocksdb_memory_usage(resources);
  CHECK(after_a >= before + written_a);
  const auto written_b = write_kib_values(*b);
  CHECK(rocksdb_memory_usage(resources) >= after_a + written_b);
  CHECK(rocksdb_memory_usage(resources) <= rocksdb_memory_budget(resources));
}

TEST_CASE("rocksdb backend without shared resources gets a budget of its own") {
  temp_dir dir;
  auto c = rocksdb_test::config(dir);
  c.memory_mb = 8;
  auto a = rocksdb_test::backend(c);
  auto b = rocksdb_test::backend(c);
  auto& ra = static_cast<rocksdb_keyed_state_backend&>(*a).shared_resources();
  auto& rb = static_cast<rocksdb_keyed_state_backend&>(*b).shared_resources();
  CHECK(&ra != &rb);
  CHECK(rocksdb_memory_budget(ra) == 8u << 20);
}
