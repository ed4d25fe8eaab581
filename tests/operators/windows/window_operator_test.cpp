// The keyed window operator driven directly: assignment, firing on watermarks, sessions,
// allowed lateness and late side output. Expectations are derived by hand in the comments.

#include "window_test_harness.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace sluice;
using namespace sluice::window_test;

namespace {

using lines = std::vector<std::string>;

/// Gets the aggregate's result; prefixes key and window.
struct label final : process_window_function<std::string, std::string, std::string> {
  void process(const context& ctx, const std::vector<std::string>& results,
               collector<std::string>& out) override {
    std::ostringstream os;
    os << ctx.key() << ' ' << ctx.window() << ' ' << results.at(0) << " n=" << results.size();
    out.collect(os.str());
  }
};

} // namespace

TEST_CASE("window_operator: tumbling windows fire when the watermark passes max_timestamp") {
  auto h = make_harness(tumbling_windows(10), sum_contents());
  h.element({"a", 1}, 0);
  h.element({"a", 2}, 9);  // the last timestamp of [0, 10)
  h.element({"a", 4}, 10); // the first of [10, 20)
  h.element({"b", 8}, 5);
  h.watermark(8);
  CHECK(h.take() == lines{"wm@8"});
  // timers at 9 fire in registration order (a, then b); results carry max_timestamp 9 and
  // precede the watermark
  h.watermark(9);
  CHECK(h.take() == lines{"a:3@9", "b:8@9", "wm@9"});
  h.watermark(100);
  CHECK(h.take() == lines{"a:4@19", "wm@100"});
  h.watermark(200);
  CHECK(h.take() == lines{"wm@200"});
}

TEST_CASE("window_operator: negative timestamps and offsets") {
  // size 10, offset 3: windows [-7, 3), [3, 13)
  auto h = make_harness(tumbling_windows(10, 3), sum_contents());
  h.element({"a", 1}, -7);
  h.element({"a", 2}, 2);
  h.element({"a", 4}, 3);
  h.watermark(2);
  CHECK(h.take() == lines{"a:3@2", "wm@2"});
  h.watermark(12);
  CHECK(h.take() == lines{"a:4@12", "wm@12"});
}

TEST_CASE("window_operator: sliding windows with an aggregate") {
  // size 10, slide 5: 3 -> [0,10) [-5,5); 7 -> [5,15) [0,10); 12 -> [10,20) [5,15)
  auto h = make_harness(sliding_windows(10, 5), count_sum_contents());
  h.element({"a", 3}, 3);
  h.element({"a", 7}, 7);
  h.element({"a", 12}, 12);
  h.watermark(4);
  CHECK(h.take() == lines{"1/3@4", "wm@4"});
  h.watermark(9);
  CHECK(h.take() == lines{"2/10@9", "wm@9"});
  h.watermark(19);
  CHECK(h.take() == lines{"2/19@14", "1/12@19", "wm@19"});
}

TEST_CASE("window_operator: aggregate combined with a process function") {
  using contents = aggregate_contents<ev, count_sum, windows_detail::single_to_process<label>>;
  auto h = make_harness(tumbling_windows(10), contents({}, {label{}}));
  h.element({"k", 5}, 1);
  h.element({"k", 6}, 2);
  h.watermark(10);
  CHECK(h.take() == lines{"k [0, 10) 2/11 n=1@9", "wm@10"});
}

TEST_CASE("window_operator: process function sees all elements, window, key and watermark") {
  auto h = make_harness(tumbling_windows(10), list_contents<ev, describe>(describe{}));
  h.element({"a", 1}, 4);
  h.element({"a", 2}, 1);
  h.element({"b", 3}, 15);
  h.watermark(30);
  CHECK(h.take() == lines{"a [0, 10) wm=30: 1,2@9", "b [10, 20) wm=30: 3@19", "wm@30"});
}

TEST_CASE("window_operator: a bridging element merges three sessions into one") {
  // gap 10: 0 -> [0,10), 20 -> [20,30); 10 -> [10,20) touches both: one session [0,30)
  auto h = make_harness(session_windows(10), list_contents<ev, describe>(describe{}));
  h.element({"a", 1}, 0);
  h.element({"a", 2}, 20);
  h.element({"b", 7}, 5);
  h.watermark(8); // 9 would fire [0,10) before the bridge arrives
  CHECK(h.take() == lines{"wm@8"});
  h.element({"a", 3}, 10);
  h.watermark(28);
  CHECK(h.take() == lines{"b [5, 15) wm=28: 7@14", "wm@28"});
  h.watermark(29);
  CHECK(h.take() == lines{"a [0, 30) wm=29: 1,2,3@29", "wm@29"});
  h.watermark(1000);
  CHECK(h.take() == lines{"wm@1000"});
}

TEST_CASE("window_operator: sessions merge incremental accumulators") {
  auto h = make_harness(session_windows(10), count_sum_contents());
  h.element({"a", 1}, 0);
  h.element({"a", 2}, 20);
  h.element({"a", 4}, 12); // [12,22) joins [20,30) only: [12,30); [0,10) stays apart
  h.watermark(100);
  CHECK(h.take() == lines{"1/1@9", "2/6@29", "wm@100"});
}

TEST_CASE("window_operator: allowed lateness re-fires the window, then drops") {
  window_settings<time_window> settings;
  settings.allowed_lateness = 5;
  auto h = make_harness(tumbling_windows(10), sum_contents(), settings);
  h.element({"a", 1}, 2);
  h.watermark(9);
  CHECK(h.take() == lines{"a:1@9", "wm@9"});
  // late but allowed: 9 + 5 > 9, so the window still exists; the event-time trigger fires at
  // once with the updated contents
  h.element({"a", 2}, 5);
  CHECK(h.take() == lines{"a:3@9"});
  h.watermark(13);
  h.element({"a", 4}, 0); // 9 + 5 > 13: still allowed
  CHECK(h.take() == lines{"wm@13", "a:7@9"});
  h.watermark(14);        // cleanup time 14: state removed, nothing fires
  h.element({"a", 8}, 3); // 9 + 5 <= 14: dropped (no consumer of "late")
  CHECK(h.take() == lines{"wm@14"});
  h.watermark(50);
  CHECK(h.take() == lines{"wm@50"});
  CHECK(h.op->num_late_records_dropped() == 1);
}

TEST_CASE("window_operator: late records go to the late-data side output") {
  window_settings<time_window> settings;
  settings.late_data_tag = "late";
  auto h = make_harness(tumbling_windows(10), sum_contents(), settings);
  h.element({"a", 1}, 2);
  h.watermark(10);
  h.element({"a", 5}, 9); // window [0,10) ended at 9 <= 10: late, with its own timestamp
  h.element({"a", 6}, 11);
  h.watermark(20);
  CHECK(h.take() == lines{"a:1@9", "wm@10", "a:6@19", "wm@20"});
  CHECK(h.late.log == lines{"a:5@9"});
  CHECK(h.op->num_late_records_dropped() == 0);
}

TEST_CASE("window_operator: a record late for some sliding windows only is not late") {
  window_settings<time_window> settings;
  settings.late_data_tag = "late";
  // 8 -> [5,15) and [0,10); after watermark 9, [0,10) is late but [5,15) is not
  auto h = make_harness(sliding_windows(10, 5), sum_contents(), settings);
  h.watermark(9);
  h.element({"a", 1}, 8);
  h.watermark(14);
  CHECK(h.take() == lines{"wm@9", "a:1@14", "wm@14"});
  CHECK(h.late.log.empty());
}

TEST_CASE("window_operator: event-time windows need timestamps") {
  auto h = make_harness(tumbling_windows(10), sum_contents());
  CHECK_THROWS(h.element({"a", 1}, no_timestamp));
}

TEST_CASE("window_operator: dynamic session gaps come from the element") {
  // gap = value: 0 -> [0,5); 8 -> [8,10) apart; 4 -> [4,10) bridges both into [0,10)
  auto gap_of = [](const ev& e) { return e.value; };
  auto h = make_harness(dynamic_session_windows<decltype(gap_of)>(gap_of),
                        list_contents<ev, describe>(describe{}));
  h.element({"a", 5}, 0);
  h.element({"a", 2}, 8);
  h.element({"a", 6}, 4);
  h.watermark(9);
  CHECK(h.take() == lines{"a [0, 10) wm=9: 5,2,6@9", "wm@9"});
  CHECK_THROWS(h.element({"a", 0}, 20)); // gap 0 is invalid
}
