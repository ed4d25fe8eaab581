// Session windows against a model: sums per session of random, slightly out-of-order elements
// of eight keys, merging across many elements (an out-of-order element may bridge two
// sessions), computed by a plain model of sessions (start, end, sum per key, merged when a
// new element's window meets them, emitted once the watermark passes their end); on both
// backends, whole and restored mid-session at parallelism 2 from a snapshot of either backend.
// Then the fast path on RocksDB handing its sessions over to the heap fast path and to the
// generic path and back, and late elements on the fast path of either backend, with
// expectations derived by hand.

#include "window_test_harness.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

using namespace sluice;
using namespace sluice::window_test;

namespace {

using lines = std::vector<std::string>;

constexpr std::int64_t gap = 6;

/// The model: each key's sessions as (start, end, sum); lines "key:sum@end-1", sorted.
lines model(const std::vector<step>& steps) {
  struct session {
    std::string key;
    std::int64_t start, end, sum;
  };
  std::vector<session> open;
  lines out;
  for (const step& s : steps) {
    if (s.watermark) {
      for (auto it = open.begin(); it != open.end();) {
        if (it->end - 1 <= s.time) {
          out.push_back(it->key + ":" + std::to_string(it->sum) + "@" +
                        std::to_string(it->end - 1));
          it = open.erase(it);
        } else {
          ++it;
        }
      }
      continue;
    }
    session merged{s.element.key, s.time, s.time + gap, s.element.value};
    for (auto it = open.begin(); it != open.end();) {
      if (it->key == merged.key && it->start <= merged.end && it->end >= merged.start) {
        merged = {merged.key, std::min(merged.start, it->start), std::max(merged.end, it->end),
                  merged.sum + it->sum};
        it = open.erase(it);
      } else {
        ++it;
      }
    }
    open.push_back(merged);
  }
  std::sort(out.begin(), out.end());
  return out;
}

using session_harness = decltype(make_harness(session_windows(gap), sum_contents()));

/// Feeds steps [from, to) to `subtasks`: each element to the one owning its key's key group,
/// every watermark to all. Returns their records, sorted, without the watermarks.
lines feed(std::vector<session_harness*> subtasks, const std::vector<key_group_range>& ranges,
           const std::vector<step>& steps, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i) {
    const step& s = steps[i];
    for (std::size_t t = 0; t < subtasks.size(); ++t) {
      if (s.watermark)
        subtasks[t]->watermark(s.time);
      else if (ranges[t].contains(
                   key_group_for_hash(key_hash(s.element.key), test::test_max_parallelism)))
        subtasks[t]->element(s.element, s.time);
    }
  }
  lines out;
  for (session_harness* h : subtasks) {
    for (std::string& line : h->take())
      if (line.rfind("wm@", 0) != 0)
        out.push_back(std::move(line));
  }
  return out;
}

/// The first cut from `at` on that follows an element, so that sessions are open there.
std::size_t cut_after_element(const std::vector<step>& steps, std::size_t at) {
  while (steps[at - 1].watermark)
    ++at;
  return at;
}

} // namespace

TEST_CASE("session windows: sums of sessions merged across many elements match a model") {
  for (const std::uint64_t seed : {1, 2}) {
    const auto steps = steps_never_late(seed, 3000, 8);
    const lines expected = model(steps);
    REQUIRE(expected.size() > 100);
    for (const state_backend_kind kind : test::test_backend_kinds) {
      INFO("seed " << seed << ", " << to_string(kind));
      auto h = make_harness(session_windows(gap), sum_contents(), {},
                            test::make_test_keyed_state_backend(kind));
      lines got = feed({&h}, {key_group_range{0, 127}}, steps, 0, steps.size());
      std::sort(got.begin(), got.end());
      CHECK(got == expected);
    }
  }
}

TEST_CASE("session windows: restored mid-session into two subtasks on either backend") {
  const auto steps = steps_never_late(3, 3000, 8);
  const lines expected = model(steps);
  const std::size_t half = steps.size() / 2 + 1; // an element: sessions are open
  REQUIRE_FALSE(steps[half - 1].watermark);
  const std::vector<key_group_range> ranges = {{0, 63}, {64, 127}};
  for (const state_backend_kind from : test::test_backend_kinds) {
    for (const state_backend_kind to : test::test_backend_kinds) {
      INFO(to_string(from) << " restored into " << to_string(to));
      test::temp_dir dir;
      auto before = make_harness(session_windows(gap), sum_contents(), {},
                                 test::make_test_keyed_state_backend(from));
      lines got = feed({&before}, {key_group_range{0, 127}}, steps, 0, half);
      const keyed_state_handle handle = before.backend->snapshot(1, dir.path());
      const auto restored = [&](key_group_range range) {
        auto backend = test::make_test_keyed_state_backend(to, range);
        backend->restore({handle});
        return backend;
      };
      auto low = make_harness(session_windows(gap), sum_contents(), {}, restored(ranges[0]));
      auto high = make_harness(session_windows(gap), sum_contents(), {}, restored(ranges[1]));
      const lines rest = feed({&low, &high}, ranges, steps, half, steps.size());
      got.insert(got.end(), rest.begin(), rest.end());
      std::sort(got.begin(), got.end());
      CHECK(got == expected);
      for (session_harness* h : {&low, &high}) {
        CHECK(h->op->accumulates());
        CHECK(h->backend->entry_count("window-contents") == 0);
        CHECK(h->backend->entry_count("window-merging-sets") == 0);
      }
    }
  }
}

TEST_CASE("session windows: on RocksDB, the fast path hands its sessions to the heap fast path "
          "and to the generic path, and takes them back") {
  const auto steps = steps_never_late(4, 3000, 8);
  const lines expected = model(steps);
  REQUIRE(expected.size() > 100);
  window_settings<time_window> generic;
  generic.window_trigger = std::make_shared<event_time_trigger<time_window>>();
  const auto rocksdb = [] {
    return test::make_test_keyed_state_backend(state_backend_kind::rocksdb);
  };
  const key_group_range all{0, 127};
  {
    auto whole = make_harness(session_windows(gap), sum_contents(), {}, rocksdb());
    CHECK(whole.op->accumulates());
    lines got = feed({&whole}, {all}, steps, 0, steps.size());
    std::sort(got.begin(), got.end());
    CHECK(got == expected);
  }
  const std::size_t first_cut = cut_after_element(steps, steps.size() / 3);
  const std::size_t second_cut = cut_after_element(steps, 2 * steps.size() / 3);
  for (const state_backend_kind between : test::test_backend_kinds) {
    for (const bool generic_between : {false, true}) {
      if (between == state_backend_kind::rocksdb && !generic_between)
        continue; // the fast path on RocksDB throughout: the whole run above
      INFO("in between: " << to_string(between) << (generic_between ? ", generic path" : ""));
      test::temp_dir dir;
      auto before = make_harness(session_windows(gap), sum_contents(), {}, rocksdb());
      REQUIRE(before.op->accumulates());
      lines got = feed({&before}, {all}, steps, 0, first_cut);
      auto middle_backend = test::make_test_keyed_state_backend(between);
      middle_backend->restore({before.backend->snapshot(1, dir.path())});
      auto middle = make_harness(session_windows(gap), sum_contents(),
                                 generic_between ? generic : window_settings<time_window>{},
                                 std::move(middle_backend));
      CHECK(middle.op->accumulates() == !generic_between);
      const lines second = feed({&middle}, {all}, steps, first_cut, second_cut);
      auto after_backend = rocksdb();
      after_backend->restore({middle.backend->snapshot(2, dir.path())});
      auto after = make_harness(session_windows(gap), sum_contents(), {}, std::move(after_backend));
      REQUIRE(after.op->accumulates());
      const lines third = feed({&after}, {all}, steps, second_cut, steps.size());
      got.insert(got.end(), second.begin(), second.end());
      got.insert(got.end(), third.begin(), third.end());
      std::sort(got.begin(), got.end());
      CHECK(got == expected);
      CHECK(after.backend->entry_count("window-contents") == 0);
      CHECK(after.backend->entry_count("window-merging-sets") == 0);
    }
  }
}

TEST_CASE("session windows: late elements re-fire within allowed lateness, then go aside") {
  for (const state_backend_kind kind : test::test_backend_kinds) {
    INFO(to_string(kind));
    window_settings<time_window> settings;
    settings.allowed_lateness = 5;
    settings.late_data_tag = "late";
    auto h = make_harness(session_windows(10), sum_contents(), settings,
                          test::make_test_keyed_state_backend(kind));
    REQUIRE(h.op->accumulates());
    h.element({"a", 1}, 0); // [0, 10)
    h.watermark(9);         // fires; stays until 9 + 5
    CHECK(h.take() == lines{"a:1@9", "wm@9"});
    // 3 + 5 <= 9: a late element, but [3, 13) meets [0, 10): [0, 13), not passed yet
    h.element({"a", 2}, 3);
    CHECK(h.take().empty());
    h.element({"a", 4}, 12); // [12, 22) meets it too: [0, 22)
    h.watermark(21);
    CHECK(h.take() == lines{"a:7@21", "wm@21"});
    h.element({"a", 8}, 20); // [20, 30) within [0, 22)'s lateness: [0, 30), fired at 29
    h.watermark(29);
    CHECK(h.take() == lines{"a:15@29", "wm@29"});
    h.element({"a", 16}, 19); // [19, 29) lies within [0, 30), passed: fires at once
    CHECK(h.take() == lines{"a:31@29"});
    h.watermark(34); // 29 + 5: [0, 30) goes
    CHECK(h.take() == lines{"wm@34"});
    h.element({"a", 32}, 20); // [20, 30): 29 + 5 <= 34, late
    CHECK(h.take().empty());
    CHECK(h.late.log == lines{"a:32@20"});
    CHECK(h.backend->entry_count("window-contents") == 0);
  }
}
