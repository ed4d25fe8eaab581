// Incremental checkpoints of the window fast path on the heap: the accumulators' table and the
// window timers flag the key groups they change, so a checkpoint writes the shared files of
// exactly those key groups (computed here from the keys) and references the others; a chain
// restores, into either backend, with the windows' results a plain sum gives.

#include "../../heap_shared_files.hpp"
#include "window_test_harness.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

using namespace sluice;
using namespace sluice::window_test;
using test::groups_written;
namespace fs = std::filesystem;

namespace {

constexpr int keys = 100;

std::string key_name(int k) { return "k" + std::to_string(k); }

int group_of(const std::string& key) {
  return key_group_for_hash(key_hash(key), test::test_max_parallelism);
}

std::set<int> groups_of_all_keys() {
  std::set<int> out;
  for (int k = 0; k < keys; ++k)
    out.insert(group_of(key_name(k)));
  return out;
}

/// Lines a window of `key` with sum `sum` fires as, at the end of [0, 10).
std::string fired(const std::string& key, std::int64_t sum) {
  return key + ":" + std::to_string(sum) + "@9";
}

std::vector<std::string> records_of(std::vector<std::string> lines) {
  std::vector<std::string> out;
  for (auto& line : lines)
    if (line.rfind("wm@", 0) != 0)
      out.push_back(std::move(line));
  std::sort(out.begin(), out.end());
  return out;
}

window_settings<time_window> with_lateness(std::int64_t ms) {
  window_settings<time_window> settings;
  settings.allowed_lateness = ms;
  return settings;
}

} // namespace

TEST_CASE("window fast path on the heap: a checkpoint writes the key groups whose windows or "
          "timers changed") {
  test::temp_dir dir;
  const fs::path shared = dir.path() / "shared";
  fs::create_directories(shared);
  auto h = make_harness(tumbling_windows(10), sum_contents(), with_lateness(5));
  REQUIRE(h.op->accumulates());
  auto checkpoint = [&](std::int64_t id) {
    return h.backend->snapshot(id, (dir.path() / ("chk" + std::to_string(id))).string(),
                               shared.string());
  };
  for (int k = 0; k < keys; ++k)
    h.element(ev{key_name(k), k + 1}, k % 10);
  CHECK(groups_written(checkpoint(1), 1) == groups_of_all_keys());
  CHECK(groups_written(checkpoint(2), 2).empty());

  h.element(ev{"k3", 1000}, 5);
  h.element(ev{"k17", 1000}, 6);
  CHECK(groups_written(checkpoint(3), 3) == std::set<int>{group_of("k3"), group_of("k17")});

  // Every window fires at its end; its accumulator stays for the allowed lateness: only the
  // timers changed, in every key group with a key.
  h.watermark(9);
  std::vector<std::string> expected;
  for (int k = 0; k < keys; ++k)
    expected.push_back(fired(key_name(k), k + 1 + (k == 3 || k == 17 ? 1000 : 0)));
  std::sort(expected.begin(), expected.end());
  CHECK(records_of(h.take()) == expected);
  const keyed_state_handle last = checkpoint(4);
  CHECK(groups_written(last, 4) == groups_of_all_keys());

  // Checkpoint 4 references the files checkpoints 1 and 3 wrote. Restored: a late element fires
  // its window again with the sum so far, and the cleanup time fires nothing more.
  for (const state_backend_kind kind : test::test_backend_kinds) {
    CAPTURE(to_string(kind));
    auto backend = test::make_test_keyed_state_backend(kind);
    backend->restore({last});
    auto r = make_harness(tumbling_windows(10), sum_contents(), with_lateness(5),
                          std::move(backend));
    r.watermark(9);
    r.element(ev{"k3", 1}, 2);
    r.watermark(14);
    CHECK(records_of(r.take()) == std::vector<std::string>{fired("k3", 4 + 1000 + 1)});
    CHECK(r.backend->entry_count("window-contents") == 0);
  }
}
