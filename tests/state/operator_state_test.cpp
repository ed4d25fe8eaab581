// Operator (non-keyed) state: list states redistributed by even split and by union when the
// parallelism changes, broadcast states copied, and unreadable snapshot files reported.

#include "keyed_state_fixture.hpp"
#include "sluice/state/operator_state_backend.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

using namespace sluice;
using sluice::test::temp_dir;

namespace {

const list_state_descriptor<std::int64_t> offsets("offsets");
const map_state_descriptor<std::string, std::int32_t> rules("rules");

/// The elements old subtask i of 3 holds: i*100 .. i*100 + 3 + i (4, 5 and 6 elements).
std::vector<std::int64_t> old_elements(int i) {
  std::vector<std::int64_t> out;
  for (int k = 0; k < 4 + i; ++k)
    out.push_back(i * 100 + k);
  return out;
}

/// Snapshots three subtasks holding old_elements(i) in list state registered with `mode`,
/// and subtask-specific broadcast contents (only subtask 0's should survive).
std::vector<operator_state_handle> snapshot_three(const temp_dir& dir, redistribution mode) {
  std::vector<operator_state_handle> handles;
  for (int i = 0; i < 3; ++i) {
    operator_state_backend backend("source (" + std::to_string(i + 1) + "/3)");
    backend.get_list_state(offsets, mode).update(old_elements(i));
    auto& broadcast = backend.get_broadcast_state(rules);
    broadcast.put("limit", 10);
    broadcast.put("from-" + std::to_string(i), i);
    handles.push_back(backend.snapshot(4, (dir.path() / "op").string(), i));
  }
  return handles;
}

/// What each of `parallelism` new subtasks gets back of the list state.
std::vector<std::vector<std::int64_t>> restore_lists(const std::vector<operator_state_handle>& h,
                                                     int parallelism, redistribution mode) {
  std::vector<std::vector<std::int64_t>> out;
  for (int i = 0; i < parallelism; ++i) {
    operator_state_backend backend("source (" + std::to_string(i + 1) + ")");
    backend.restore(h, i, parallelism);
    out.push_back(backend.get_list_state(offsets, mode).get());
  }
  return out;
}

std::vector<std::int64_t> all_old_elements() {
  std::vector<std::int64_t> all;
  for (int i = 0; i < 3; ++i)
    for (auto e : old_elements(i))
      all.push_back(e);
  return all;
}

} // namespace

TEST_CASE("even split: contiguous parts of all old elements, sizes within one") {
  temp_dir dir;
  auto handles = snapshot_three(dir, redistribution::even_split);
  const auto all = all_old_elements(); // 15 elements
  for (int parallelism : {2, 5}) {
    CAPTURE(parallelism);
    auto parts = restore_lists(handles, parallelism, redistribution::even_split);
    std::vector<std::int64_t> joined;
    std::size_t smallest = all.size(), largest = 0;
    for (auto& part : parts) {
      joined.insert(joined.end(), part.begin(), part.end());
      smallest = std::min(smallest, part.size());
      largest = std::max(largest, part.size());
    }
    CHECK(joined == all);
    CHECK(largest - smallest <= 1);
  }
  auto two = restore_lists(handles, 2, redistribution::even_split);
  CHECK(two[0] == std::vector<std::int64_t>(all.begin(), all.begin() + 7));
}

TEST_CASE("union: every new subtask gets all old elements") {
  temp_dir dir;
  auto handles = snapshot_three(dir, redistribution::union_all);
  for (int parallelism : {2, 5})
    for (auto& part : restore_lists(handles, parallelism, redistribution::union_all))
      CHECK(part == all_old_elements());
}

TEST_CASE("broadcast state: every new subtask gets old subtask 0's copy") {
  temp_dir dir;
  auto handles = snapshot_three(dir, redistribution::even_split);
  // A string's byte form starts with its length, so the shorter "limit" comes first.
  const std::vector<std::pair<std::string, std::int32_t>> expected{{"limit", 10}, {"from-0", 0}};
  for (int i = 0; i < 5; ++i) {
    operator_state_backend backend("rules (" + std::to_string(i + 1) + "/5)");
    backend.restore(handles, i, 5);
    auto& broadcast = backend.get_broadcast_state(rules);
    CHECK(broadcast.entries() == expected);
    CHECK(broadcast.get("limit") == 10);
    CHECK_FALSE(broadcast.contains("from-1"));
  }
}

TEST_CASE("operator state without states writes no file") {
  temp_dir dir;
  operator_state_backend backend("map (1/1)");
  auto handle = backend.snapshot(1, dir.str(), 0);
  CHECK(handle.path.empty());
  operator_state_backend restored("map (1/1)");
  restored.restore({handle}, 0, 1);
  CHECK(restored.get_list_state(offsets).get().empty());
}

TEST_CASE("operator state: a corrupt, truncated or mistyped snapshot is a state_error") {
  temp_dir dir;
  auto handles = snapshot_three(dir, redistribution::even_split);
  const std::filesystem::path file = handles[1].path;
  operator_state_backend backend("source (1/2)");
  SUBCASE("corrupt") {
    test::corrupt_byte(file, std::filesystem::file_size(file) / 2);
    test::check_state_error([&] { backend.restore(handles, 0, 2); }, {file.string()});
  }
  SUBCASE("truncated") {
    std::filesystem::resize_file(file, std::filesystem::file_size(file) - 1);
    test::check_state_error([&] { backend.restore(handles, 0, 2); }, {file.string()});
  }
  SUBCASE("registered with another redistribution") {
    backend.restore(handles, 0, 2);
    test::check_state_error(
        [&] { backend.get_list_state(offsets, redistribution::union_all); },
        {"source (1/2)", "offsets"});
  }
}
