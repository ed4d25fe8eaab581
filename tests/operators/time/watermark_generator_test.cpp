#include "sluice/operators/time/watermark_generator.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using namespace sluice;

namespace {

constexpr std::int64_t i64_min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();

/// Records what a generator emits, in order: "wm:<t>", "idle", "active".
struct recording_output final : watermark_output {
  std::vector<std::string> log;
  void emit_watermark(std::int64_t wm) override { log.push_back("wm:" + std::to_string(wm)); }
  void mark_idle() override { log.push_back("idle"); }
  void mark_active() override { log.push_back("active"); }
  /// The last entry, then clears the log.
  std::string take_last() {
    std::string last = log.empty() ? "" : log.back();
    log.clear();
    return last;
  }
};

std::string wm(std::int64_t t) { return "wm:" + std::to_string(t); }

} // namespace

TEST_CASE("bounded out-of-orderness: max timestamp - bound - 1") {
  bounded_out_of_orderness_generator g(500);
  recording_output out;
  g.on_periodic_emit(out);
  CHECK(out.take_last() == wm(i64_min)); // nothing seen yet
  for (std::int64_t ts : {1000, 3000, 2000})
    g.on_event(ts, out);
  CHECK(out.log.empty()); // periodic: nothing emitted per event
  g.on_periodic_emit(out);
  CHECK(out.take_last() == wm(2499)); // 3000 - 500 - 1
  g.on_event(2900, out);              // late but within the bound: max stays 3000
  g.on_periodic_emit(out);
  CHECK(out.take_last() == wm(2499));
  g.on_event(4000, out);
  g.on_periodic_emit(out);
  CHECK(out.take_last() == wm(3499));
}

TEST_CASE("monotonous generator: max timestamp - 1") {
  monotonous_generator g;
  recording_output out;
  g.on_event(10, out);
  g.on_event(20, out);
  g.on_periodic_emit(out);
  CHECK(out.take_last() == wm(19));
}

TEST_CASE("bounded out-of-orderness: no overflow at the int64 extremes") {
  recording_output out;
  SUBCASE("bound 0 at both ends") {
    bounded_out_of_orderness_generator g(0);
    g.on_event(i64_min, out); // max starts at MIN + 1, stays there
    g.on_periodic_emit(out);
    CHECK(out.take_last() == wm(i64_min));
    g.on_event(i64_max, out);
    g.on_periodic_emit(out);
    CHECK(out.take_last() == wm(i64_max - 1));
  }
  SUBCASE("the largest bound") {
    bounded_out_of_orderness_generator g(i64_max); // max starts at MIN + MAX + 1 = 0
    g.on_periodic_emit(out);
    CHECK(out.take_last() == wm(i64_min)); // 0 - MAX - 1
    g.on_event(i64_max, out);
    g.on_periodic_emit(out);
    CHECK(out.take_last() == wm(-1)); // MAX - MAX - 1
  }
  SUBCASE("negative timestamps below the initial maximum") {
    bounded_out_of_orderness_generator g(10);
    g.on_event(i64_min + 5, out); // below MIN + 11: ignored
    g.on_periodic_emit(out);
    CHECK(out.take_last() == wm(i64_min));
    g.on_event(-100, out);
    g.on_periodic_emit(out);
    CHECK(out.take_last() == wm(-111));
  }
  CHECK_THROWS_AS(bounded_out_of_orderness_generator(-1), std::invalid_argument);
}

TEST_CASE("with idleness: idle after the timeout on the clock, active again on an event") {
  auto time = std::make_shared<manual_clock>(0);
  watermarks_with_idleness g(std::make_unique<bounded_out_of_orderness_generator>(0), 100, time);
  recording_output out;

  g.on_event(1000, out);
  g.on_periodic_emit(out); // t=0: activity since the last check
  CHECK(out.take_last() == wm(999));
  time->set(50);
  g.on_periodic_emit(out); // t=50: first check without activity: countdown starts at 50
  CHECK(out.take_last() == wm(999));
  time->set(150);
  g.on_periodic_emit(out); // 150 - 50 = 100, not more than 100
  CHECK(out.take_last() == wm(999));
  CHECK_FALSE(g.idle());
  time->set(151);
  g.on_periodic_emit(out); // 101 > 100: idle, no watermark
  CHECK(out.log == std::vector<std::string>{"idle"});
  out.log.clear();
  CHECK(g.idle());
  time->set(1000);
  g.on_periodic_emit(out); // marked idle once only
  CHECK(out.log.empty());

  g.on_event(2000, out); // ends idleness at once
  CHECK(out.log == std::vector<std::string>{"active"});
  out.log.clear();
  CHECK_FALSE(g.idle());
  g.on_periodic_emit(out);
  CHECK(out.take_last() == wm(1999));
  time->set(1100);
  g.on_periodic_emit(out); // countdown restarts at 1100
  time->set(1200);
  g.on_periodic_emit(out);
  CHECK(out.take_last() == wm(1999));
  time->set(1201);
  g.on_periodic_emit(out);
  CHECK(out.take_last() == "idle");
}

TEST_CASE("with idleness: a countdown starting at clock 0, and a source without elements") {
  auto time = std::make_shared<manual_clock>(0);
  watermarks_with_idleness g(std::make_unique<monotonous_generator>(), 10, time);
  recording_output out;
  g.on_periodic_emit(out); // t=0: countdown starts at 0
  CHECK(out.take_last() == wm(i64_min));
  time->advance(10);
  g.on_periodic_emit(out);
  CHECK(out.take_last() == wm(i64_min));
  time->advance(1);
  g.on_periodic_emit(out);
  CHECK(out.take_last() == "idle");

  CHECK_THROWS_AS(
      watermarks_with_idleness(std::make_unique<monotonous_generator>(), 0, time),
      std::invalid_argument);
}
