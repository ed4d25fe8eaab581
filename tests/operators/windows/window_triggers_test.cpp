// Every trigger inside the window operator: count (on global windows), purging, continuous
// event time, processing time and continuous processing time, and count on merged sessions.

#include "window_test_harness.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

using namespace sluice;
using namespace sluice::window_test;

namespace {

using lines = std::vector<std::string>;
const std::string global_end = std::to_string(global_window::max_timestamp());

template <class W, class Trigger> window_settings<W> with_trigger(Trigger t) {
  window_settings<W> settings;
  settings.window_trigger = std::make_shared<Trigger>(std::move(t));
  return settings;
}

} // namespace

TEST_CASE("triggers: count trigger fires every n elements and keeps the contents") {
  auto h = make_harness(global_windows{}, sum_contents(),
                        with_trigger<global_window>(count_trigger<global_window>(2)));
  h.element({"a", 1}, 0);
  h.element({"b", 5}, 0);
  h.element({"a", 2}, 0);
  h.element({"a", 3}, 0);
  h.element({"a", 4}, 0);
  CHECK(h.take() == lines{"a:3@" + global_end, "a:10@" + global_end});
}

TEST_CASE("triggers: global windows never fire by default") {
  auto h = make_harness(global_windows{}, sum_contents());
  h.element({"a", 1}, 0);
  h.watermark(1000);
  CHECK(h.take() == lines{"wm@1000"});
}

TEST_CASE("triggers: purging turns fire into fire-and-purge") {
  auto h = make_harness(
      global_windows{}, sum_contents(),
      with_trigger<global_window>(purging_trigger<global_window>(count_trigger<global_window>(2))));
  for (std::int64_t v : {1, 2, 3, 4, 5}) {
    h.element({"a", v}, 0);
  }
  CHECK(h.take() == lines{"a:3@" + global_end, "a:7@" + global_end});
}

TEST_CASE("triggers: continuous event-time trigger fires every interval and at the end") {
  // window [0,100), interval 30: element 10 registers 0 + 30 = 30 and the end 99
  auto h = make_harness(tumbling_windows(100), sum_contents(),
                        with_trigger<time_window>(continuous_event_time_trigger<time_window>(30)));
  h.element({"a", 1}, 10);
  h.watermark(29);
  CHECK(h.take() == lines{"wm@29"});
  h.watermark(30); // fires, registers 60
  h.element({"a", 2}, 40);
  h.watermark(60); // fires, registers 90
  CHECK(h.take() == lines{"a:1@99", "wm@30", "a:3@99", "wm@60"});
  // 90 fires and registers min(120, 99) = 99, the end timer already there; 99 fires the end
  h.element({"a", 4}, 95);
  h.watermark(99);
  CHECK(h.take() == lines{"a:7@99", "a:7@99", "wm@99"});
  h.watermark(500);
  CHECK(h.take() == lines{"wm@500"});
}

TEST_CASE("triggers: purging continuous event-time trigger emits deltas") {
  auto h = make_harness(tumbling_windows(100), sum_contents(),
                        with_trigger<time_window>(purging_trigger<time_window>(
                            continuous_event_time_trigger<time_window>(50))));
  h.element({"a", 1}, 10);
  h.element({"a", 2}, 20);
  h.watermark(50);
  h.element({"a", 4}, 60);
  h.watermark(99);
  CHECK(h.take() == lines{"a:3@99", "wm@50", "a:4@99", "wm@99"});
}

TEST_CASE("triggers: processing-time windows fire when the clock reaches the end") {
  auto h = make_harness(tumbling_windows(100, 0, time_domain::processing_time), sum_contents());
  h.clock.now = 5;
  h.element({"a", 1}, no_timestamp); // processing time needs no record timestamp
  h.clock.now = 50;
  h.element({"a", 2}, no_timestamp);
  h.element({"b", 4}, no_timestamp);
  CHECK(h.clock.wakes == std::vector<std::int64_t>{99});
  h.advance_clock(98);
  CHECK(h.take().empty());
  h.advance_clock(99);
  CHECK(h.take() == lines{"a:3@99", "b:4@99"});
  h.clock.now = 150;
  h.element({"a", 8}, no_timestamp);
  h.advance_clock(300);
  CHECK(h.take() == lines{"a:8@199"});
  CHECK(h.clock.wakes == std::vector<std::int64_t>{99, 199});
  h.watermark(1000); // event time does not fire processing-time windows
  CHECK(h.take() == lines{"wm@1000"});
}

TEST_CASE("triggers: continuous processing-time trigger") {
  auto h =
      make_harness(tumbling_windows(100, 0, time_domain::processing_time), sum_contents(),
                   with_trigger<time_window>(continuous_processing_time_trigger<time_window>(30)));
  h.clock.now = 10;
  h.element({"a", 1}, no_timestamp); // next fire 10 - 10 % 30 + 30 = 30; cleanup at 99
  h.advance_clock(30);
  CHECK(h.take() == lines{"a:1@99"});
  h.clock.now = 40;
  h.element({"a", 2}, no_timestamp);
  h.advance_clock(65); // fires 60, registers 90
  CHECK(h.take() == lines{"a:3@99"});
  h.advance_clock(99); // 90 fires, then 99 (the end: fires, then cleanup)
  CHECK(h.take() == lines{"a:3@99", "a:3@99"});
  h.advance_clock(1000);
  CHECK(h.take().empty());
}

TEST_CASE("triggers: count trigger state merges with sessions") {
  // count 3 over sessions of gap 10: 0 and 20 count 1 each; 10 bridges them: 1 + 1 + 1 = 3
  auto h = make_harness(session_windows(10), sum_contents(),
                        with_trigger<time_window>(count_trigger<time_window>(3)));
  h.element({"a", 1}, 0);
  h.element({"a", 2}, 20);
  CHECK(h.take().empty());
  h.element({"a", 4}, 10);
  CHECK(h.take() == lines{"a:7@29"});
}

TEST_CASE("triggers: event-time sessions keep firing at the merged end only") {
  auto h = make_harness(session_windows(10), sum_contents());
  h.element({"a", 1}, 0);
  h.element({"a", 2}, 5); // [0,15): the timer at 9 moves to 14
  h.watermark(9);
  h.watermark(14);
  CHECK(h.take() == lines{"wm@9", "a:3@14", "wm@14"});
}
