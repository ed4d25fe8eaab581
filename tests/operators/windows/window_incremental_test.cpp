// Incremental checkpoints of the window fast path on the heap: the accumulators' table (or the
// sessions') and the window timers flag the key groups they change, so a checkpoint writes the
// shared files of exactly those key groups (computed here from the keys) and references the
// others; a chain restores, into either backend, with the windows' results a plain sum gives.

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

/// Lines a window of `key` with sum `sum` fires as, at its last millisecond `at` (by default
/// that of [0, 10)).
std::string fired(const std::string& key, std::int64_t sum, std::int64_t at = 9) {
  return key + ":" + std::to_string(sum) + "@" + std::to_string(at);
}

std::vector<std::string> records_of(std::vector<std::string> lines) {
  std::vector<std::string> out;
  for (auto& line : lines)
    if (line.rfind("wm@", 0) != 0)
      out.push_back(std::move(line));
  std::sort(out.begin(), out.end());
  return out;
}

/// Heap snapshots into a temporary directory, sharing their key-group files.
struct checkpoints {
  test::temp_dir dir;
  fs::path shared = dir.path() / "shared";
  checkpoints() { fs::create_directories(shared); }
  keyed_state_handle take(keyed_state_backend& backend, std::int64_t id) {
    return backend.snapshot(id, (dir.path() / ("chk" + std::to_string(id))).string(),
                            shared.string());
  }
};

/// A backend of `kind` restored from `h`.
std::unique_ptr<keyed_state_backend> restored(state_backend_kind kind, const keyed_state_handle& h) {
  auto backend = test::make_test_keyed_state_backend(kind);
  backend->restore({h});
  return backend;
}

/// Every key's first element (value k + 1 at k % 10), a checkpoint, another, then k3's and
/// k17's second (1000 each, at `at3` and `at17`) and a third: checked to write the key groups
/// of every key, of none, of those two.
template <class H>
void first_three_checkpoints(H& h, checkpoints& chk, std::int64_t at3, std::int64_t at17) {
  for (int k = 0; k < keys; ++k)
    h.element(ev{key_name(k), k + 1}, k % 10);
  CHECK(groups_written(chk.take(*h.backend, 1), 1) == groups_of_all_keys());
  CHECK(groups_written(chk.take(*h.backend, 2), 2).empty());
  h.element(ev{"k3", 1000}, at3);
  h.element(ev{"k17", 1000}, at17);
  CHECK(groups_written(chk.take(*h.backend, 3), 3) ==
        std::set<int>{group_of("k3"), group_of("k17")});
}

/// The watermark at `wm` fires every key's window (`last(k)`: its last millisecond) with the
/// sum of its elements (checked); the windows stay for the allowed lateness, but their timers
/// changed in every key group with a key: checkpoint 4, returned, is checked to write them all.
template <class H, class Last>
keyed_state_handle fire_all(H& h, checkpoints& chk, std::int64_t wm, Last last) {
  h.watermark(wm);
  std::vector<std::string> expected;
  for (int k = 0; k < keys; ++k)
    expected.push_back(fired(key_name(k), k + 1 + (k == 3 || k == 17 ? 1000 : 0), last(k)));
  std::sort(expected.begin(), expected.end());
  CHECK(records_of(h.take()) == expected);
  keyed_state_handle handle = chk.take(*h.backend, 4);
  CHECK(groups_written(handle, 4) == groups_of_all_keys());
  return handle;
}

window_settings<time_window> with_lateness(std::int64_t ms) {
  window_settings<time_window> settings;
  settings.allowed_lateness = ms;
  return settings;
}

} // namespace

TEST_CASE("window fast path on the heap: a checkpoint writes the key groups whose windows or "
          "timers changed") {
  auto h = make_harness(tumbling_windows(10), sum_contents(), with_lateness(5));
  REQUIRE(h.op->accumulates());
  checkpoints chk;
  first_three_checkpoints(h, chk, 5, 6);

  const keyed_state_handle last = fire_all(h, chk, 9, [](int) { return 9; });

  // Checkpoint 4 references the files checkpoints 1 and 3 wrote. Restored: a late element fires
  // its window again with the sum so far, and the cleanup time fires nothing more.
  for (const state_backend_kind kind : test::test_backend_kinds) {
    CAPTURE(to_string(kind));
    auto r = make_harness(tumbling_windows(10), sum_contents(), with_lateness(5),
                          restored(kind, last));
    r.watermark(9);
    r.element(ev{"k3", 1}, 2);
    r.watermark(14);
    CHECK(records_of(r.take()) == std::vector<std::string>{fired("k3", 4 + 1000 + 1)});
    CHECK(r.backend->entry_count("window-contents") == 0);
  }
}

TEST_CASE("session fast path on the heap: a checkpoint writes the key groups whose sessions or "
          "timers changed") {
  constexpr std::int64_t gap = 5;
  auto h = make_harness(session_windows(gap), sum_contents(), with_lateness(20));
  REQUIRE(h.op->accumulates());
  checkpoints chk;
  // Key k's session [k % 10, k % 10 + gap); then k3's [3, 8) grows to [3, 11), k17's [7, 12)
  // to [7, 13).
  first_three_checkpoints(h, chk, 6, 8);

  // The timers the sessions stand for are written as changed.
  const keyed_state_handle last = fire_all(h, chk, 20, [](int k) -> std::int64_t {
    const std::int64_t end = k == 3 ? 11 : k == 17 ? 13 : k % 10 + gap;
    return end - 1;
  });

  // Checkpoint 4 references the files checkpoints 1 and 3 wrote. Restored: a late element at 9
  // extends k3's session [3, 11) to [3, 14) and fires it again with the sum so far; past its
  // cleanup nothing is left.
  for (const state_backend_kind kind : test::test_backend_kinds) {
    CAPTURE(to_string(kind));
    auto r = make_harness(session_windows(gap), sum_contents(), with_lateness(20),
                          restored(kind, last));
    r.watermark(20);
    r.element(ev{"k3", 1}, 9);
    r.watermark(40);
    CHECK(records_of(r.take()) == std::vector<std::string>{fired("k3", 4 + 1000 + 1, 13)});
    CHECK(r.backend->entry_count("window-contents") == 0);
  }
}
