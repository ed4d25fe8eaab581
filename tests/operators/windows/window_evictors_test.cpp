// Evictors inside the window operator: count, time and delta, before and after the function,
// with process, reduce and aggregate functions.

#include "window_test_harness.hpp"

#include "sluice/operators/windows/evictors.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

using namespace sluice;
using namespace sluice::window_test;

namespace {

using lines = std::vector<std::string>;

template <class Evictor, class W = time_window> auto evicting_describe(Evictor evictor) {
  return evicting_contents<ev, Evictor, windows_detail::process_all<describe_in<W>>>(
      std::move(evictor), {describe_in<W>{}});
}

struct value_distance {
  double operator()(const ev& a, const ev& b) const {
    return std::fabs(static_cast<double>(a.value - b.value));
  }
};

} // namespace

TEST_CASE("evictors: count evictor before the function keeps the last n") {
  auto h = make_harness(tumbling_windows(10), evicting_describe(count_evictor(2)));
  h.element({"a", 1}, 1);
  h.element({"a", 2}, 2);
  h.element({"a", 3}, 3);
  h.watermark(9);
  CHECK(h.take() == lines{"a [0, 10) wm=9: 2,3@9", "wm@9"});
}

TEST_CASE("evictors: count trigger and count evictor on global windows slide by count") {
  window_settings<global_window> settings;
  settings.window_trigger = std::make_shared<count_trigger<global_window>>(2);
  auto h =
      make_harness(global_windows{},
                   evicting_describe<count_evictor, global_window>(count_evictor(3)), settings);
  for (std::int64_t v = 1; v <= 6; ++v) {
    h.element({"a", v}, v);
  }
  const std::string w = "a global_window wm=" + std::to_string(no_timestamp) + ": ";
  const std::string at = "@" + std::to_string(global_window::max_timestamp());
  CHECK(h.take() == lines{w + "1,2" + at, w + "2,3,4" + at, w + "4,5,6" + at});
}

TEST_CASE("evictors: count evictor after the function shapes the next firing") {
  window_settings<time_window> settings;
  settings.allowed_lateness = 100;
  auto h = make_harness(tumbling_windows(10), evicting_describe(count_evictor(1, true)), settings);
  h.element({"a", 1}, 1);
  h.element({"a", 2}, 2);
  h.watermark(9);         // sees 1,2; keeps only 2 afterwards
  h.element({"a", 5}, 3); // late but allowed: fires at once with 2,5
  CHECK(h.take() == lines{"a [0, 10) wm=9: 1,2@9", "wm@9", "a [0, 10) wm=9: 2,5@9"});
}

TEST_CASE("evictors: time evictor keeps the last window_size ms of elements") {
  // newest 35, cutoff 35 - 5 = 30: 10 and 30 go, 33 and 35 stay
  auto h = make_harness(tumbling_windows(100), evicting_describe(time_evictor(5)));
  h.element({"a", 10}, 10);
  h.element({"a", 35}, 35);
  h.element({"a", 30}, 30);
  h.element({"a", 33}, 33);
  h.watermark(99);
  CHECK(h.take() == lines{"a [0, 100) wm=99: 35,33@99", "wm@99"});
}

TEST_CASE("evictors: delta evictor removes elements far from the last one") {
  // last 22: deltas 21, 7, 2, 0 against threshold 10: only 1 goes
  auto h = make_harness(tumbling_windows(100),
                        evicting_describe(delta_evictor<value_distance>(10.0, {})));
  for (std::int64_t v : {1, 15, 20, 22}) {
    h.element({"a", v}, v);
  }
  h.watermark(99);
  CHECK(h.take() == lines{"a [0, 100) wm=99: 15,20,22@99", "wm@99"});
}

TEST_CASE("evictors: reduce over the elements left by the evictor") {
  using reduce = windows_detail::reduce_all<ev, sum_of, windows_detail::pass_through<ev>>;
  using contents = evicting_contents<ev, count_evictor, reduce>;
  auto h = make_harness(tumbling_windows(10), contents(count_evictor(2), reduce{}));
  for (std::int64_t v : {1, 2, 3}) {
    h.element({"a", v}, v);
  }
  h.watermark(9);
  CHECK(h.take() == lines{"a:5@9", "wm@9"});
}

TEST_CASE("evictors: windows with evictors still merge as sessions") {
  auto h = make_harness(session_windows(10), evicting_describe(count_evictor(2)));
  h.element({"a", 1}, 0);
  h.element({"a", 2}, 20);
  h.element({"a", 3}, 10);
  h.watermark(29);
  CHECK(h.take() == lines{"a [0, 30) wm=29: 2,3@29", "wm@29"});
}
