// What is particular to snapshots of the RocksDB backend: the checkpoint layout, restores that
// share SST files with it, and the errors a bad checkpoint gives. Round trips and rescaling run
// on every backend in keyed_state_snapshot_test.cpp.

#include "rocksdb_test_support.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace sluice;
using rocksdb_test::temp_dir;

namespace {

constexpr std::int64_t keys = 1000;

const value_state_descriptor<std::int64_t> value_d("value");
const list_state_descriptor<std::string> list_d("list");
const map_state_descriptor<std::int32_t, std::int64_t> map_d("map");

/// Writes every key of 0..keys-1 that `b` owns into all three states: value 10*k, list
/// ["k", "k+1"], map {1: k, 2: -k}.
void fill(keyed_state_backend& b) {
  for (std::int64_t k = 0; k < keys; ++k) {
    if (!b.key_groups().contains(key_group_of(k, rocksdb_test::max_parallelism)))
      continue;
    b.set_current_key(k);
    b.get_state(value_d).update(10 * k);
    b.get_state(list_d).add(std::to_string(k));
    b.get_state(list_d).add(std::to_string(k + 1));
    b.get_state(map_d).put(1, k);
    b.get_state(map_d).put(2, -k);
  }
}

/// Checks that `b` holds exactly what fill() wrote for the keys it owns; returns how many.
std::int64_t check_filled(keyed_state_backend& b) {
  std::int64_t owned = 0;
  for (std::int64_t k = 0; k < keys; ++k) {
    if (!b.key_groups().contains(key_group_of(k, rocksdb_test::max_parallelism)))
      continue;
    ++owned;
    b.set_current_key(k);
    REQUIRE(b.get_state(value_d).value() == 10 * k);
    REQUIRE(b.get_state(list_d).get() ==
            std::vector<std::string>{std::to_string(k), std::to_string(k + 1)});
    REQUIRE(b.get_state(map_d).entries() ==
            std::vector<std::pair<std::int32_t, std::int64_t>>{{1, k}, {2, -k}});
  }
  CHECK(b.entry_count("value") == static_cast<std::size_t>(owned));
  CHECK(b.entry_count("list") == static_cast<std::size_t>(2 * owned));
  CHECK(b.entry_count("map") == static_cast<std::size_t>(2 * owned));
  return owned;
}

/// Snapshots of `parallelism` filled backends.
std::vector<keyed_state_handle> filled_snapshots(const temp_dir& dir, int parallelism) {
  std::vector<keyed_state_handle> handles;
  for (int i = 0; i < parallelism; ++i) {
    auto b = rocksdb_test::backend(rocksdb_test::config(dir), parallelism, i);
    fill(*b);
    handles.push_back(b->snapshot(7, dir / "checkpoints"));
  }
  return handles;
}

/// The file of the checkpoint in `dir` whose name starts with `prefix`.
std::filesystem::path checkpoint_file(const std::string& dir, const std::string& prefix) {
  for (auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().filename().string().rfind(prefix, 0) == 0)
      return e.path();
  FAIL("no " << prefix << " file in " << dir);
  return {};
}

} // namespace

TEST_CASE("rocksdb snapshot is a checkpoint directory described by the handle") {
  temp_dir dir;
  auto b = rocksdb_test::backend(rocksdb_test::config(dir), 3, 1);
  fill(*b);
  auto h = b->snapshot(42, dir / "checkpoints");
  CHECK(h.backend == "rocksdb");
  CHECK(h.range == key_group_range_for_subtask(128, 3, 1));
  REQUIRE(h.parts.size() == 2);
  CHECK(h.parts[0].kind == keyed_state_part::format::rocksdb_checkpoint);
  CHECK(h.parts[0].path == dir / "checkpoints/count__2_3_-kg43-85-chk42.rocksdb");
  CHECK(h.parts[0].range == h.range);
  std::uint64_t size = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(h.parts[0].path))
    size += e.is_regular_file() ? e.file_size() : 0;
  CHECK(size > 0);
  CHECK(h.parts[0].size_bytes == size);
  // The participants (none here) are in a key-group file beside the checkpoint.
  CHECK(h.parts[1].kind == keyed_state_part::format::heap_key_groups);
  CHECK(h.parts[1].path == dir / "checkpoints/count__2_3_-kg43-85-chk42.kg");
  CHECK(h.parts[1].size_bytes == std::filesystem::file_size(h.parts[1].path));
}

TEST_CASE("rocksdb restore at the same parallelism sees the state as of the snapshot") {
  temp_dir dir;
  auto b = rocksdb_test::backend(rocksdb_test::config(dir));
  fill(*b);
  auto sync = b->snapshot_sync(1, dir / "checkpoints");
  // Changes between the synchronous and the asynchronous part must not reach the snapshot.
  b->set_current_key(std::int64_t{5});
  b->get_state(value_d).update(-1);
  b->get_state(list_d).add("later");
  auto h = sync();
  for (int round = 0; round < 2; ++round) {
    // A restored instance shares SST files with the checkpoint by hard links: changing and
    // compacting it must leave the checkpoint intact for the next restore.
    auto restored = rocksdb_test::backend(rocksdb_test::config(dir));
    restored->restore({h});
    CHECK(check_filled(*restored) == keys);
    restored->set_current_key(std::int64_t{5});
    restored->get_state(value_d).update(-2);
    restored->remove_expired();
  }
}

TEST_CASE("rocksdb restore of a missing checkpoint names its path") {
  temp_dir dir;
  auto handles = filled_snapshots(dir, 1);
  std::filesystem::remove_all(handles[0].parts[0].path);
  for (int parallelism : {1, 2}) {
    auto b = rocksdb_test::backend(rocksdb_test::config(dir), parallelism, 0);
    CHECK_THROWS_WITH_AS(b->restore(handles), rocksdb_test::names(handles[0].parts[0].path),
                         state_error);
  }
}

TEST_CASE("rocksdb restore of a corrupt checkpoint names its path") {
  temp_dir dir;
  auto handles = filled_snapshots(dir, 1);
  const auto& path = handles[0].parts[0].path;
  std::ofstream(checkpoint_file(path, "MANIFEST"), std::ios::trunc) << "not a manifest";
  for (int parallelism : {1, 2}) {
    auto b = rocksdb_test::backend(rocksdb_test::config(dir), parallelism, 0);
    CHECK_THROWS_WITH_AS(b->restore(handles), rocksdb_test::names(path), state_error);
  }
}

TEST_CASE("rocksdb restored state keeps its kind, type and TTL") {
  temp_dir dir;
  auto handles = filled_snapshots(dir, 1);
  auto b = rocksdb_test::backend(rocksdb_test::config(dir));
  b->restore(handles);
  CHECK_THROWS_WITH_AS(b->get_state(value_state_descriptor<std::string>("value")),
                       doctest::Contains("state 'value' was restored as"), state_error);
  CHECK_THROWS_WITH_AS(b->get_state(list_state_descriptor<std::int64_t>("list")),
                       doctest::Contains("state 'list' was restored as"), state_error);
  CHECK_THROWS_WITH_AS(
      b->get_state(map_state_descriptor<std::int32_t, std::int64_t>("map", ttl_config{1000})),
      doctest::Contains("state 'map' was restored with TTL off"), state_error);
  CHECK(check_filled(*b) == keys);
}
