// Session windows against a model: sums per session of random, slightly out-of-order elements
// of eight keys, merging across many elements (an out-of-order element may bridge two
// sessions), computed by a plain model of sessions (start, end, sum per key, merged when a
// new element's window meets them, emitted once the watermark passes their end); on both
// backends, whole and restored mid-session at parallelism 2 from a snapshot of either backend.
// Then late elements on the heap fast path, with expectations derived by hand.

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
        CHECK(h->op->accumulates() == (to == state_backend_kind::heap));
        CHECK(h->backend->entry_count("window-contents") == 0);
        CHECK(h->backend->entry_count("window-merging-sets") == 0);
      }
    }
  }
}

TEST_CASE("session windows: late elements re-fire within allowed lateness, then go aside") {
  window_settings<time_window> settings;
  settings.allowed_lateness = 5;
  settings.late_data_tag = "late";
  auto h = make_harness(session_windows(10), sum_contents(), settings);
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
