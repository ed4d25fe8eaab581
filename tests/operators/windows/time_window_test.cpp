#include "sluice/operators/windows/time_window.hpp"
#include "sluice/operators/windows/trigger_result.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <limits>

using namespace sluice;

TEST_CASE("time_window: max_timestamp, intersects, cover, ordering") {
  const time_window w{0, 1000};
  CHECK(w.max_timestamp() == 999); // [0, 1000): the last millisecond inside is 999

  // Flink: start <= other.end && end >= other.start, so touching windows intersect.
  CHECK(time_window{0, 5}.intersects({5, 10}));  // 0 <= 10 && 5 >= 5
  CHECK(time_window{5, 10}.intersects({0, 5}));  // 5 <= 5 && 10 >= 0
  CHECK(time_window{0, 10}.intersects({3, 4}));  // containment
  CHECK_FALSE(time_window{0, 5}.intersects({6, 10})); // 5 >= 6 fails
  CHECK_FALSE(time_window{6, 10}.intersects({0, 5})); // 6 <= 5 fails

  CHECK(time_window{0, 5}.cover({8, 10}) == time_window{0, 10}); // min start, max end
  CHECK(time_window{3, 4}.cover({0, 10}) == time_window{0, 10});

  CHECK(time_window{0, 5} < time_window{0, 6}); // same start: by end
  CHECK(time_window{0, 6} < time_window{1, 2}); // by start first
  CHECK_FALSE(time_window{1, 2} < time_window{1, 2});
  CHECK(time_window{1, 2} != time_window{1, 3});

  const std::hash<time_window> h;
  CHECK(h(time_window{7, 9}) == h(time_window{7, 9}));
}

TEST_CASE("window_start_with_offset: boundaries and negative timestamps") {
  // size 1000, offset 0: remainder = ts % 1000; negative remainder r gives ts - (r + 1000)
  CHECK(window_start_with_offset(0, 0, 1000) == 0);        // r = 0
  CHECK(window_start_with_offset(999, 0, 1000) == 0);      // r = 999
  CHECK(window_start_with_offset(1000, 0, 1000) == 1000);  // r = 0: boundary starts a window
  CHECK(window_start_with_offset(-1, 0, 1000) == -1000);   // r = -1: -1 - 999
  CHECK(window_start_with_offset(-1000, 0, 1000) == -1000); // r = 0
  CHECK(window_start_with_offset(-1001, 0, 1000) == -2000); // r = -1: -1001 - 999
  // 1700000000123 = 28333333 * 60000 + 20123
  CHECK(window_start_with_offset(1700000000123, 0, 60000) == 1699999980000);
}

TEST_CASE("window_start_with_offset: positive and negative offsets") {
  // offset 200: starts at ..., -800, 200, 1200, ...
  CHECK(window_start_with_offset(199, 200, 1000) == -800); // r = -1: 199 - 999
  CHECK(window_start_with_offset(200, 200, 1000) == 200);  // r = 0
  CHECK(window_start_with_offset(1199, 200, 1000) == 200); // r = 999
  // offset -200: starts at ..., -1200, -200, 800, ...
  CHECK(window_start_with_offset(0, -200, 1000) == -200);    // r = 200
  CHECK(window_start_with_offset(799, -200, 1000) == -200);  // r = 999
  CHECK(window_start_with_offset(800, -200, 1000) == 800);   // r = 1000 % 1000 = 0
  CHECK(window_start_with_offset(-201, -200, 1000) == -1200); // r = -1: -201 - 999
  // offset -999: r = 999, start -999, so the window is [-999, 1)
  CHECK(window_start_with_offset(0, -999, 1000) == -999);
}

TEST_CASE("global_window never ends") {
  CHECK(global_window::max_timestamp() == std::numeric_limits<std::int64_t>::max());
  CHECK(global_window{} == global_window{});
  CHECK_FALSE(global_window{} < global_window{});
}

TEST_CASE("trigger_result: fire and purge bits") {
  CHECK_FALSE(is_fire(trigger_result::continue_));
  CHECK_FALSE(is_purge(trigger_result::continue_));
  CHECK(is_fire(trigger_result::fire));
  CHECK_FALSE(is_purge(trigger_result::fire));
  CHECK_FALSE(is_fire(trigger_result::purge));
  CHECK(is_purge(trigger_result::purge));
  CHECK(is_fire(trigger_result::fire_and_purge));
  CHECK(is_purge(trigger_result::fire_and_purge));
}
