// Restart strategies, driven by failure times: how many restarts each allows, the delays, the
// exponential backoff and its reset after a stable period, the failure-rate window.

#include "sluice/checkpoint/restart_strategy.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <stdexcept>
#include <vector>

using namespace sluice;

namespace {

using delays = std::vector<std::optional<std::int64_t>>;

/// The strategy's answers to failures at `times`.
delays answers(restart_strategy& s, const std::vector<std::int64_t>& times) {
  delays out;
  for (auto t : times)
    out.push_back(s.on_failure(t));
  return out;
}

} // namespace

TEST_CASE("no restart gives up at the first failure") {
  no_restart s;
  CHECK(answers(s, {0, 100}) == delays{std::nullopt, std::nullopt});
}

TEST_CASE("fixed delay restarts the given number of times, then gives up for good") {
  fixed_delay_restart s(2, 500);
  CHECK(answers(s, {0, 10, 20, 999999}) == delays{500, 500, std::nullopt, std::nullopt});
  CHECK(s.description() == "fixed-delay restart: 2 attempts, 500 ms apart (2 used)");
  fixed_delay_restart never(0, 500);
  CHECK(never.on_failure(0) == std::nullopt);
  CHECK_THROWS_AS(fixed_delay_restart(-1, 0), std::invalid_argument);
}

TEST_CASE("exponential delay doubles up to the maximum and resets after a stable period") {
  // initial 100, max 1000, x2, reset after 10000 ms without failure
  exponential_delay_restart s(100, 1000, 2.0, 10000);
  CHECK(answers(s, {0, 200, 500, 1000, 2000, 3000, 4000}) ==
        delays{100, 200, 400, 800, 1000, 1000, 1000});
  // 9999 ms after the last failure: still backing off; 10000 ms after that one: reset.
  CHECK(s.on_failure(13999) == 1000);
  CHECK(s.on_failure(23999) == 100);
  CHECK(s.on_failure(24000) == 200);
}

TEST_CASE("exponential delay with a fractional multiplier rounds to whole milliseconds") {
  exponential_delay_restart s(1000, 5000, 1.5, 60000);
  // 1000, 1500, 2250, 3375, 5062.5 -> 5000 (the maximum)
  CHECK(answers(s, {0, 1, 2, 3, 4}) == delays{1000, 1500, 2250, 3375, 5000});
}

TEST_CASE("exponential delay jitter stays within the factor and is reproducible by seed") {
  exponential_delay_restart a(1000, 1000, 1.0, 60000, 0.25, 7);
  exponential_delay_restart b(1000, 1000, 1.0, 60000, 0.25, 7);
  bool varied = false;
  std::optional<std::int64_t> first;
  for (int i = 0; i < 50; ++i) {
    const auto d = a.on_failure(i);
    REQUIRE(d);
    CHECK(*d >= 750);
    CHECK(*d <= 1250);
    CHECK(b.on_failure(i) == d);
    varied = varied || (first && *first != *d);
    if (!first)
      first = d;
  }
  CHECK(varied);
}

TEST_CASE("exponential delay refuses parameters that make no sense") {
  CHECK_THROWS_AS(exponential_delay_restart(0, 10, 2, 100), std::invalid_argument);
  CHECK_THROWS_AS(exponential_delay_restart(100, 10, 2, 100), std::invalid_argument);
  CHECK_THROWS_AS(exponential_delay_restart(1, 10, 0.5, 100), std::invalid_argument);
  CHECK_THROWS_AS(exponential_delay_restart(1, 10, 2, 100, 1.5), std::invalid_argument);
}

TEST_CASE("failure rate gives up on the failure that exceeds the rate within the interval") {
  // at most 2 failures in any 1000 ms
  failure_rate_restart s(2, 1000, 50);
  // 0 and 500 fit; 999 is the third within (-1, 999].
  CHECK(answers(s, {0, 500}) == delays{50, 50});
  CHECK(s.on_failure(999) == std::nullopt);

  failure_rate_restart t(2, 1000, 50);
  // The window of a failure at now is (now - 1000, now]: at 1000 it holds 500 and 1000, at
  // 1600 it holds 1000 and 1600, at 1900 three: 1000, 1600 and 1900.
  CHECK(answers(t, {0, 500, 1000, 1600, 1900}) == delays{50, 50, 50, 50, std::nullopt});
  CHECK(t.description() == "failure-rate restart: at most 2 failures per 1000 ms, 50 ms apart");
  CHECK_THROWS_AS(failure_rate_restart(0, 1000, 50), std::invalid_argument);
}
