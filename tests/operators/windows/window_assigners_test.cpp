#include "sluice/operators/windows/window_assigners.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

using namespace sluice;

namespace {

using windows = std::vector<time_window>;

/// The std::invalid_argument message `f` throws, or "" if it throws none.
template <typename F> std::string invalid_argument_of(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return {};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("tumbling_windows: boundaries and negative timestamps") {
  const tumbling_windows t{1000};
  CHECK(t.assign(0) == windows{{0, 1000}});
  CHECK(t.assign(999) == windows{{0, 1000}});     // the window's max_timestamp
  CHECK(t.assign(1000) == windows{{1000, 2000}}); // end is exclusive
  CHECK(t.assign(-1) == windows{{-1000, 0}});
  CHECK(t.assign(-1000) == windows{{-1000, 0}});
  CHECK(t.assign(-1001) == windows{{-2000, -1000}});
  CHECK_FALSE(tumbling_windows::is_merging());
  CHECK(t.domain() == time_domain::event_time);
}

TEST_CASE("tumbling_windows: offsets") {
  const tumbling_windows plus{1000, 200}; // starts at 200 + k * 1000
  CHECK(plus.assign(199) == windows{{-800, 200}});
  CHECK(plus.assign(200) == windows{{200, 1200}});
  CHECK(plus.assign(1199) == windows{{200, 1200}});
  const tumbling_windows minus{1000, -200}; // starts at -200 + k * 1000
  CHECK(minus.assign(0) == windows{{-200, 800}});
  CHECK(minus.assign(800) == windows{{800, 1800}});
  CHECK(minus.assign(-201) == windows{{-1200, -200}});
  // Flink's "local midnight in UTC+8": one day, offset -8 h; 0 lies in [-8 h, 16 h)
  const tumbling_windows day{86400000, -28800000};
  CHECK(day.assign(0) == windows{{-28800000, 57600000}});
}

TEST_CASE("tumbling_windows: processing time only changes the domain") {
  const tumbling_windows t{1000, 0, time_domain::processing_time};
  CHECK(t.domain() == time_domain::processing_time);
  CHECK(t.assign(1500) == windows{{1000, 2000}});
}

TEST_CASE("sliding_windows: slide not dividing size, latest start first") {
  const sliding_windows s{1000, 300};
  // ts 0: last start 0; starts 0, -300, -600, -900 are > 0 - 1000; -1200 is not
  CHECK(s.assign(0) == windows{{0, 1000}, {-300, 700}, {-600, 400}, {-900, 100}});
  // ts 299: last start 299 - 299 = 0; starts must be > -701: 0, -300, -600
  CHECK(s.assign(299) == windows{{0, 1000}, {-300, 700}, {-600, 400}});
  // ts 300: last start 300; starts > -700: 300, 0, -300, -600
  CHECK(s.assign(300) == windows{{300, 1300}, {0, 1000}, {-300, 700}, {-600, 400}});
  // ts 1234: 1234 % 300 = 34, last start 1200; starts > 234: 1200, 900, 600, 300
  CHECK(s.assign(1234) == windows{{1200, 2200}, {900, 1900}, {600, 1600}, {300, 1300}});
}

TEST_CASE("sliding_windows: offsets, negative timestamps, gaps") {
  const sliding_windows plus{1000, 500, 100}; // starts at 100 + k * 500
  // ts 100: last start 100; starts > -900: 100, -400
  CHECK(plus.assign(100) == windows{{100, 1100}, {-400, 600}});
  // ts 99: r = (99 - 100) % 500 = -1, last start 99 - 499 = -400; starts > -901: -400, -900
  CHECK(plus.assign(99) == windows{{-400, 600}, {-900, 100}});
  const sliding_windows minus{1000, 500, -100};
  // ts 0: r = 100, last start -100; starts > -1000: -100, -600
  CHECK(minus.assign(0) == windows{{-100, 900}, {-600, 400}});
  const sliding_windows s{1000, 500};
  // ts -1: r = -1, last start -1 - 499 = -500; starts > -1001: -500, -1000
  CHECK(s.assign(-1) == windows{{-500, 500}, {-1000, 0}});
  // slide 300 > size 100: windows [300k, 300k + 100), and 150 falls in none
  const sliding_windows sparse{100, 300};
  CHECK(sparse.assign(50) == windows{{0, 100}});
  CHECK(sparse.assign(150).empty()); // last start 0 is not > 150 - 100
}

TEST_CASE("session_windows: ts to ts + gap, static and dynamic gaps") {
  const session_windows s{5};
  CHECK(s.assign(10) == windows{{10, 15}});
  CHECK(s.assign(-3) == windows{{-3, 2}});
  CHECK(session_windows::is_merging());

  // gap from the element: the string's length
  const dynamic_session_windows d{[](const std::string& e) { return std::int64_t(e.size()); },
                                  time_domain::processing_time};
  CHECK(d.assign(std::string("abc"), 7) == windows{{7, 10}});
  CHECK(d.domain() == time_domain::processing_time);
  CHECK(decltype(d)::is_merging());
  CHECK(contains(invalid_argument_of([&] { d.assign(std::string(), 7); }), "gap"));
}

TEST_CASE("global_windows: one window for everything") {
  CHECK(global_windows{}.assign() == std::vector<global_window>{global_window{}});
  CHECK_FALSE(global_windows::is_merging());
}

TEST_CASE("window assigners: invalid parameters name the parameter") {
  constexpr auto min = std::numeric_limits<std::int64_t>::min();
  CHECK(contains(invalid_argument_of([] { tumbling_windows{0}; }), "size"));
  CHECK(contains(invalid_argument_of([] { tumbling_windows{-1}; }), "size"));
  CHECK(contains(invalid_argument_of([] { tumbling_windows(1000, 1000); }), "offset"));
  CHECK(contains(invalid_argument_of([] { tumbling_windows(1000, -1000); }), "offset"));
  CHECK(contains(invalid_argument_of([=] { tumbling_windows(1000, min); }), "offset"));
  CHECK(invalid_argument_of([] { tumbling_windows(1000, 999); }).empty());
  CHECK(invalid_argument_of([] { tumbling_windows(1000, -999); }).empty());

  CHECK(contains(invalid_argument_of([] { sliding_windows(0, 100); }), "size"));
  CHECK(contains(invalid_argument_of([] { sliding_windows(1000, 0); }), "slide"));
  CHECK(contains(invalid_argument_of([] { sliding_windows(1000, -5); }), "slide"));
  // as in Flink, the offset is bounded by the slide, not the size
  CHECK(contains(invalid_argument_of([] { sliding_windows(1000, 300, 300); }), "offset"));
  CHECK(contains(invalid_argument_of([] { sliding_windows(1000, 300, -300); }), "offset"));
  CHECK(invalid_argument_of([] { sliding_windows(1000, 300, 299); }).empty());
  CHECK(invalid_argument_of([] { sliding_windows(100, 300); }).empty());

  CHECK(contains(invalid_argument_of([] { session_windows{0}; }), "gap"));
  CHECK(contains(invalid_argument_of([] { session_windows{-5}; }), "gap"));
}

TEST_CASE("window assigners: a window whose end overflows int64 is an error, not a wrap") {
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  // max - 2 lies in [max - 7, max + 3): the end is past INT64_MAX
  CHECK_THROWS_AS(tumbling_windows(10).assign(max - 2), std::overflow_error);
  CHECK_THROWS_AS(sliding_windows(10, 5).assign(max - 2), std::overflow_error);
  // the last window that fits: [max - 7 - 10, max - 7)
  CHECK(tumbling_windows(10).assign(max - 8) == windows{{max - 17, max - 7}});
}
