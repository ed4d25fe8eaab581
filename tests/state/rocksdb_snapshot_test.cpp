// Snapshots of the RocksDB backend (native checkpoints) and restoring them at the same and at
// other parallelisms, and the errors a bad snapshot gives.

#include "rocksdb_test_support.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
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

void rescale(int from, int to) {
  temp_dir dir;
  auto handles = filled_snapshots(dir, from);
  std::int64_t restored = 0;
  for (int i = 0; i < to; ++i) {
    auto b = rocksdb_test::backend(rocksdb_test::config(dir), to, i);
    b->restore(handles);
    restored += check_filled(*b);
  }
  CHECK(restored == keys);
}

/// Times by key, kept outside the state API as a keyed operator keeps timers.
struct timers final : keyed_snapshot_participant {
  std::map<std::int64_t, std::int64_t> by_key;

  void write_snapshot(key_group_sink& out) override {
    for (auto& [key, time] : by_key) {
      auto& w = out.key_group(key_group_of(key, rocksdb_test::max_parallelism));
      serialize(w, key);
      serialize(w, time);
    }
  }
  void read_key_group(int, byte_reader& in) override {
    while (!in.at_end()) {
      auto key = deserialize<std::int64_t>(in);
      by_key[key] = deserialize<std::int64_t>(in);
    }
  }
};

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

TEST_CASE("rocksdb rescaling 3 to 2 restores every key exactly once at its owner") {
  rescale(3, 2);
}

TEST_CASE("rocksdb rescaling 3 to 5 restores every key exactly once at its owner") {
  rescale(3, 5);
}

TEST_CASE("rocksdb snapshots carry participants beside the checkpoint, rescaled 3 to 2") {
  temp_dir dir;
  std::vector<keyed_state_handle> handles;
  for (int i = 0; i < 3; ++i) {
    auto b = rocksdb_test::backend(rocksdb_test::config(dir), 3, i);
    timers t;
    for (std::int64_t k = 0; k < keys; ++k)
      if (b->key_groups().contains(key_group_of(k, rocksdb_test::max_parallelism)))
        t.by_key[k] = 1000 + k;
    b->register_participant("timers", t);
    handles.push_back(b->snapshot(3, dir / "checkpoints"));
  }
  std::map<std::int64_t, std::int64_t> restored;
  for (int i = 0; i < 2; ++i) {
    auto b = rocksdb_test::backend(rocksdb_test::config(dir), 2, i);
    b->restore(handles);
    timers t;
    b->register_participant("timers", t);
    for (auto& [key, time] : t.by_key) {
      REQUIRE(b->key_groups().contains(key_group_of(key, rocksdb_test::max_parallelism)));
      REQUIRE(restored.emplace(key, time).second);
    }
  }
  REQUIRE(restored.size() == static_cast<std::size_t>(keys));
  for (auto& [key, time] : restored)
    REQUIRE(time == 1000 + key);
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

TEST_CASE("rocksdb restore rejects another backend's snapshot") {
  temp_dir dir;
  keyed_state_handle heap{
      "heap",
      {0, 127},
      {{keyed_state_part::format::heap_key_groups, dir / "heap-1.state", {0, 127}, 10}}};
  auto b = rocksdb_test::backend(rocksdb_test::config(dir));
  CHECK_THROWS_WITH_AS(b->restore({heap}),
                       "operator 'count (1/1)': cannot restore a snapshot of the heap backend "
                       "into the rocksdb backend",
                       state_error);
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
