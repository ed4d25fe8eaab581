// The window operator's fast paths (window_accumulators.hpp, session_accumulators.hpp) give
// exactly the generic path's results. The same random elements and watermarks (late elements
// included) run through tumbling, sliding and session windows, with and without allowed
// lateness and a late-data output, with reduce, aggregate and reduce + process function
// contents: with the default trigger on the heap and on RocksDB (the fast path), and on the
// generic path on either backend (the same event-time trigger set explicitly). Every output
// line, with its timestamp, its order and the late records must agree — except that sessions
// firing at one watermark may come out in another order (their timers are queued at other
// moments). Snapshots taken halfway on one path restore into the other, on the same backend
// and on the other.

#include "window_test_harness.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

using namespace sluice;
using namespace sluice::window_test;

namespace {

/// Elements of five keys around a rising watermark: most within the next windows, some behind
/// the watermark (late, or late but within allowed lateness), timestamps from -40 on.
std::vector<step> random_steps(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::int64_t wm = -40;
  std::vector<step> steps;
  for (int i = 0; i < 600; ++i) {
    if (rng() % 5 == 0) {
      wm += static_cast<std::int64_t>(rng() % 13);
      steps.push_back({true, {}, wm});
    } else {
      const std::int64_t ts = wm - 15 + static_cast<std::int64_t>(rng() % 41);
      steps.push_back({false, {std::string(1, static_cast<char>('a' + rng() % 5)), i}, ts});
    }
  }
  steps.push_back({true, {}, 1000});
  return steps;
}

auto described_reduce_contents() {
  return reduce_contents<ev, sum_of, windows_detail::single_to_process<describe>>(
      sum_of{}, windows_detail::single_to_process<describe>{describe{}});
}

/// The default trigger (fast_*) or the same trigger set explicitly (generic_*), on a backend.
enum class path { fast, fast_rocksdb, generic_heap, generic_rocksdb };

struct outcome {
  std::vector<std::string> out;
  std::vector<std::string> late;
  std::int64_t dropped = 0;
};

/// Runs steps [from, to) through a window operator on `p`, whose backend starts as `backend`;
/// appends to `result`, then hands the backend to `at_end` while the operator still lives.
template <class A, class MakeContents, class AtEnd>
void run(const A& assigner, MakeContents make_contents, std::int64_t lateness, bool late_output,
         path p, std::unique_ptr<keyed_state_backend> backend, const std::vector<step>& steps,
         std::size_t from, std::size_t to, outcome& result, AtEnd&& at_end) {
  window_settings<time_window> settings;
  settings.allowed_lateness = lateness;
  settings.late_data_tag = late_output ? "late" : "";
  if (p == path::generic_heap || p == path::generic_rocksdb)
    settings.window_trigger = std::make_shared<event_time_trigger<time_window>>();
  auto h = make_harness(assigner, make_contents(), settings, std::move(backend));
  CHECK(h.op->accumulates() == (p == path::fast || p == path::fast_rocksdb));
  for (std::size_t i = from; i < to; ++i) {
    if (steps[i].watermark)
      h.watermark(steps[i].time);
    else
      h.element(steps[i].element, steps[i].time);
  }
  const auto out = h.take();
  result.out.insert(result.out.end(), out.begin(), out.end());
  result.late.insert(result.late.end(), h.late.log.begin(), h.late.log.end());
  result.dropped += h.op->num_late_records_dropped();
  at_end(*h.backend);
}

state_backend_kind kind_of(path p) {
  return p == path::fast_rocksdb || p == path::generic_rocksdb ? state_backend_kind::rocksdb
                                                               : state_backend_kind::heap;
}

/// The first watermark step from the middle on: a restored operator knows no watermark until
/// one arrives (as in Flink), so the second part starts with one.
std::size_t middle_watermark(const std::vector<step>& steps) {
  std::size_t i = steps.size() / 2;
  while (!steps[i].watermark)
    ++i;
  return i;
}

/// All steps on path `p`, or (`split`) those before middle_watermark on `p` and the rest on
/// `then` after a snapshot restored into a new backend.
template <class A, class MakeContents>
outcome outcome_of(const A& assigner, MakeContents make_contents, std::int64_t lateness,
                   bool late_output, const std::vector<step>& steps, path p, path then,
                   bool split) {
  outcome result;
  const std::size_t half = split ? middle_watermark(steps) : steps.size();
  test::temp_dir dir;
  keyed_state_handle handle;
  run(assigner, make_contents, lateness, late_output, p,
      test::make_test_keyed_state_backend(kind_of(p)), steps, 0, half, result,
      [&](keyed_state_backend& b) { handle = b.snapshot(1, dir.path()); });
  if (half == steps.size())
    return result;
  auto restored = test::make_test_keyed_state_backend(kind_of(then));
  restored->restore({handle});
  run(assigner, make_contents, lateness, late_output, then, std::move(restored), steps, half,
      steps.size(), result, [](keyed_state_backend& b) {
        CHECK(b.entry_count("window-contents") == 0); // the final watermark cleaned up
      });
  return result;
}

/// `lines` with the records between two watermarks sorted.
std::vector<std::string> sorted_between_watermarks(std::vector<std::string> lines) {
  auto from = lines.begin();
  for (auto it = lines.begin(); it != lines.end(); ++it) {
    if (it->rfind("wm@", 0) == 0) {
      std::sort(from, it);
      from = std::next(it);
    }
  }
  std::sort(from, lines.end());
  return lines;
}

/// Whether the fast path may emit the windows that fire at one watermark in another order.
template <class A> constexpr bool reorders_at_a_watermark = A::is_merging();

template <class A, class MakeContents>
void check_paths_agree(const A& assigner, MakeContents make_contents) {
  for (const std::int64_t lateness : {0, 7}) {
    for (const bool late_output : {false, true}) {
      for (const std::uint64_t seed : {1, 2, 3}) {
        INFO("lateness " << lateness << ", late output " << late_output << ", seed " << seed);
        const auto steps = random_steps(seed);
        // Timers of one time fire in registration order, restored ones in key-group order:
        // runs split by a restore compare with the generic path split at the same step.
        for (const bool split : {false, true}) {
          const outcome expected = outcome_of(assigner, make_contents, lateness, late_output, steps,
                                              path::generic_heap, path::generic_heap, split);
          REQUIRE(expected.out.size() > 20);
          CHECK((expected.late.size() + static_cast<std::size_t>(expected.dropped)) > 0);
          using runs = std::vector<std::pair<path, path>>;
          const runs whole = {{path::fast, path::fast},
                              {path::fast_rocksdb, path::fast_rocksdb},
                              {path::generic_rocksdb, path::generic_rocksdb}};
          const runs restored = {{path::fast, path::fast},
                                 {path::fast, path::fast_rocksdb},
                                 {path::fast_rocksdb, path::fast},
                                 {path::fast_rocksdb, path::generic_rocksdb},
                                 {path::generic_rocksdb, path::fast_rocksdb},
                                 {path::fast, path::generic_rocksdb},
                                 {path::generic_rocksdb, path::fast},
                                 {path::generic_heap, path::fast},
                                 {path::fast, path::generic_heap}};
          for (const auto& [first, then] : split ? restored : whole) {
            INFO("path " << static_cast<int>(first) << " then " << static_cast<int>(then)
                         << (split ? " after a restore" : ""));
            const outcome got = outcome_of(assigner, make_contents, lateness, late_output, steps,
                                           first, then, split);
            if constexpr (reorders_at_a_watermark<A>) {
              CHECK(sorted_between_watermarks(got.out) == sorted_between_watermarks(expected.out));
            } else {
              CHECK(got.out == expected.out);
            }
            CHECK(got.late == expected.late);
            CHECK(got.dropped == expected.dropped);
          }
        }
      }
    }
  }
}

} // namespace

TEST_CASE("window fast path: tumbling windows agree with the generic path") {
  check_paths_agree(tumbling_windows(10), sum_contents);
  check_paths_agree(tumbling_windows(10, 3), count_sum_contents);
  check_paths_agree(tumbling_windows(7, -2), described_reduce_contents);
}

TEST_CASE("window fast path: sliding windows agree with the generic path") {
  check_paths_agree(sliding_windows(10, 4), sum_contents); // the slide does not divide the size
  check_paths_agree(sliding_windows(6, 2, 1), count_sum_contents);
  check_paths_agree(sliding_windows(4, 6), described_reduce_contents); // gaps between windows
}

TEST_CASE("window fast path: session windows agree with the generic path") {
  // Gaps up to 9: a new session at the lowest timestamps (the watermark - 15) is late with
  // allowed lateness 7 too, so each run has late elements.
  check_paths_agree(session_windows(8), sum_contents);
  check_paths_agree(session_windows(3), count_sum_contents); // sessions split more often
  check_paths_agree(session_windows(5), described_reduce_contents);
}

TEST_CASE("window fast path: runs only where its results are the generic path's") {
  window_settings<time_window> custom;
  custom.window_trigger = std::make_shared<count_trigger<time_window>>(2);
  CHECK(make_harness(tumbling_windows(10), sum_contents()).op->accumulates());
  CHECK_FALSE(make_harness(tumbling_windows(10), sum_contents(), custom).op->accumulates());
  CHECK_FALSE(make_harness(tumbling_windows(10, 0, time_domain::processing_time), sum_contents())
                  .op->accumulates());
  CHECK(make_harness(tumbling_windows(10), sum_contents(), {},
                     test::make_test_keyed_state_backend(state_backend_kind::rocksdb))
            .op->accumulates());
  CHECK(make_harness(sliding_windows(10, 5), count_sum_contents(), {},
                     test::make_test_keyed_state_backend(state_backend_kind::rocksdb))
            .op->accumulates());
  CHECK_FALSE(make_harness(tumbling_windows(10), list_contents<ev, describe>(describe{}))
                  .op->accumulates());
  CHECK(make_harness(session_windows(10), sum_contents()).op->accumulates());
  CHECK_FALSE(make_harness(session_windows(10), sum_contents(), custom).op->accumulates());
  CHECK(make_harness(session_windows(10), sum_contents(), {},
                     test::make_test_keyed_state_backend(state_backend_kind::rocksdb))
            .op->accumulates());
}

TEST_CASE("window fast path: restoring windows of another size is an error naming the window") {
  test::temp_dir dir;
  auto before = make_harness(tumbling_windows(10), sum_contents());
  before.element({"a", 1}, 3);
  const keyed_state_handle handle = before.backend->snapshot(1, dir.path());
  auto restored = test::make_test_keyed_state_backend();
  restored->restore({handle});
  try {
    make_harness(tumbling_windows(20), sum_contents(), {}, std::move(restored));
    FAIL("restored");
  } catch (const state_error& e) {
    CHECK(std::string(e.what()).find("[0, 10) is not 20 ms long") != std::string::npos);
  }
}
