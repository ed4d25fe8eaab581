// Windowed sums of random, slightly out-of-order elements (none late) on either backend,
// snapshot mid-stream at parallelism 3 and restored at parallelism 2 and 5 on the same and on
// the other backend: tumbling, sliding and session windows with the default trigger, which
// take the fast path on both backends. Every window fires once with the sum a plain model of
// windows computes from the elements.

#include "window_test_harness.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

using namespace sluice;
using namespace sluice::window_test;

namespace {

using lines = std::vector<std::string>;

/// The model: each key's open windows (start, end, sum); an element adds to the windows
/// `windows_of` gives for its timestamp, a session window first merging every open window of
/// its key it meets; a window is emitted as "key:sum@end-1" once the watermark reaches end - 1.
template <class WindowsOf>
lines model(const std::vector<step>& steps, bool merging, WindowsOf&& windows_of) {
  struct window {
    std::string key;
    std::int64_t start, end, sum;
  };
  std::vector<window> open;
  lines out;
  for (const step& s : steps) {
    if (s.watermark) {
      const auto passed = std::stable_partition(
          open.begin(), open.end(), [&](const window& w) { return w.end - 1 > s.time; });
      for (auto it = passed; it != open.end(); ++it)
        out.push_back(it->key + ":" + std::to_string(it->sum) + "@" + std::to_string(it->end - 1));
      open.erase(passed, open.end());
      continue;
    }
    for (auto [start, end] : windows_of(s.time)) {
      std::int64_t sum = s.element.value;
      const auto met = [&](const window& w) {
        return w.key == s.element.key &&
               (merging ? w.start <= end && w.end >= start : w.start == start);
      };
      for (auto it = open.begin(); it != open.end();) {
        if (!met(*it)) {
          ++it;
          continue;
        }
        start = std::min(start, it->start);
        end = std::max(end, it->end);
        sum += it->sum;
        it = open.erase(it);
      }
      open.push_back({s.element.key, start, end, sum});
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// The subtasks of one parallelism on one backend kind, restored from `handles` if any.
template <class A> struct subtasks {
  using op_type = window_operator<std::string, ev, key_of, A, decltype(sum_contents())>;
  using harness_type = harness<op_type, ev>;
  std::vector<key_group_range> ranges;
  std::vector<std::unique_ptr<harness_type>> harnesses;

  subtasks(const A& assigner, state_backend_kind kind, int parallelism,
           const std::vector<keyed_state_handle>& handles = {}) {
    for (int i = 0; i < parallelism; ++i) {
      ranges.push_back(key_group_range_for_subtask(test::test_max_parallelism, parallelism, i));
      auto backend = test::make_test_keyed_state_backend(kind, ranges.back());
      if (!handles.empty())
        backend->restore(handles);
      // In place: a harness's outputs point into it.
      harnesses.push_back(std::make_unique<harness_type>(
          std::make_unique<op_type>(key_of{}, assigner, sum_contents(),
                                    window_settings<time_window>{}),
          std::move(backend)));
      CHECK(harnesses.back()->op->accumulates());
    }
  }

  /// Feeds steps [from, to): each element to the subtask owning its key's key group, every
  /// watermark to all. Appends their records, without the watermarks, to `out`.
  void feed(const std::vector<step>& steps, std::size_t from, std::size_t to, lines& out) {
    for (std::size_t i = from; i < to; ++i) {
      const step& s = steps[i];
      const int key_group = key_group_for_hash(key_hash(s.element.key), test::test_max_parallelism);
      for (std::size_t t = 0; t < harnesses.size(); ++t) {
        if (s.watermark)
          harnesses[t]->watermark(s.time);
        else if (ranges[t].contains(key_group))
          harnesses[t]->element(s.element, s.time);
      }
    }
    for (auto& h : harnesses)
      for (std::string& line : h->take())
        if (line.rfind("wm@", 0) != 0)
          out.push_back(std::move(line));
  }

  std::vector<keyed_state_handle> snapshot(const test::temp_dir& dir) {
    std::vector<keyed_state_handle> handles;
    for (auto& h : harnesses)
      handles.push_back(h->backend->snapshot(1, dir.path()));
    return handles;
  }
};

template <class A, class WindowsOf> void check_rescaled(const A& assigner, WindowsOf&& windows_of) {
  const auto steps = steps_never_late(7, 2000, 12);
  const lines expected = model(steps, A::is_merging(), windows_of);
  REQUIRE(expected.size() > 100);
  const std::size_t half = steps.size() / 2 + 1; // an element: windows are open
  REQUIRE_FALSE(steps[half - 1].watermark);
  for (const state_backend_kind from : test::test_backend_kinds) {
    for (const state_backend_kind to : test::test_backend_kinds) {
      for (const int parallelism : {2, 5}) {
        INFO(to_string(from) << " at parallelism 3 restored into " << to_string(to)
                             << " at parallelism " << parallelism);
        test::temp_dir dir;
        subtasks<A> first(assigner, from, 3);
        lines got;
        first.feed(steps, 0, half, got);
        subtasks<A> second(assigner, to, parallelism, first.snapshot(dir));
        second.feed(steps, half, steps.size(), got);
        std::sort(got.begin(), got.end());
        CHECK(got == expected);
        for (auto& h : second.harnesses)
          CHECK(h->backend->entry_count("window-contents") == 0);
      }
    }
  }
}

using spans = std::vector<std::pair<std::int64_t, std::int64_t>>;

} // namespace

TEST_CASE("window fast path: tumbling windows rescale across backends") {
  check_rescaled(tumbling_windows(10), [](std::int64_t ts) {
    const std::int64_t start = ts - (ts % 10 + 10) % 10; // timestamps may be below 0
    return spans{{start, start + 10}};
  });
}

TEST_CASE("window fast path: sliding windows rescale across backends") {
  check_rescaled(sliding_windows(10, 4), [](std::int64_t ts) {
    spans windows;
    for (std::int64_t start = ts - (ts % 4 + 4) % 4; start > ts - 10; start -= 4)
      windows.push_back({start, start + 10});
    return windows;
  });
}

TEST_CASE("window fast path: session windows rescale across backends") {
  check_rescaled(session_windows(6), [](std::int64_t ts) { return spans{{ts, ts + 6}}; });
}
