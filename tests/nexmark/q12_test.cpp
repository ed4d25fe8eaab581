// q12: bids per bidder in 10 s tumbling windows of processing time. Which window a bid falls
// in depends on the machine's speed, so the query test asserts what does not: every bid is
// counted in exactly one window of its bidder, and the windows are 10 s windows of the wall
// clock. The trigger's two ways of firing (the clock, the end of input) are driven by hand.

#include "../operators/windows/window_test_harness.hpp"
#include "processing_time_or_end_trigger.hpp"
#include "query_checks.hpp"

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <set>
#include <utility>

using namespace nexmark;
using namespace nexmark::test;

namespace {

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

} // namespace

TEST_CASE("q12 trigger: a window fires when the clock reaches its end or when the input ends") {
  using namespace sluice;
  using namespace sluice::window_test;
  window_settings<time_window> settings;
  settings.window_trigger = std::make_shared<processing_time_or_end_trigger>();
  auto h = make_harness(tumbling_windows(100, 0, time_domain::processing_time), sum_contents(),
                        settings);
  h.clock.now = 5;
  h.element({"a", 1}, no_timestamp);
  h.clock.now = 50;
  h.element({"a", 2}, no_timestamp);
  h.element({"b", 4}, no_timestamp);
  h.advance_clock(98);
  CHECK(h.take().empty());
  h.advance_clock(99);
  CHECK(h.take() == std::vector<std::string>{"a:3@99", "b:4@99"});
  h.clock.now = 150;
  h.element({"a", 8}, no_timestamp);
  h.element({"b", 16}, no_timestamp);
  h.watermark(1000); // an ordinary watermark fires nothing
  CHECK(h.take() == std::vector<std::string>{"wm@1000"});
  h.watermark(max_watermark); // the end of input: the open window fires, the fired one not again
  CHECK(h.take() ==
        std::vector<std::string>{"a:8@199", "b:16@199", "wm@" + std::to_string(max_watermark)});
  h.advance_clock(1000); // its processing-time timer finds it empty
  CHECK(h.take().empty());
}

TEST_CASE("q12: every bid in exactly one 10 s processing-time window of its bidder") {
  std::map<std::int64_t, std::int64_t> want; // bidder -> bids
  for (const auto& b : test_bids())
    ++want[b.bidder];
  REQUIRE(want.size() > 1);
  for (int p : {0, 1, 2, 4}) {
    CAPTURE(p); // 0: the baseline
    const std::int64_t before_ms = wall_clock_ms();
    const auto got = p == 0 ? run_baseline_of("q12") : run_query("q12", p);
    const std::int64_t after_ms = wall_clock_ms();
    std::map<std::int64_t, std::int64_t> counted;
    std::set<std::pair<std::int64_t, std::int64_t>> windows; // bidder, window start
    for (const auto& line : got) {
      CAPTURE(line);
      std::int64_t bidder = 0, count = 0, start = 0, end = 0;
      REQUIRE(std::sscanf(line.c_str(), "%" SCNd64 ",%" SCNd64 ",%" SCNd64 ",%" SCNd64, &bidder,
                          &count, &start, &end) == 4);
      CHECK(count > 0);
      CHECK(end - start == 10000);
      CHECK(start % 10000 == 0);
      CHECK(end > before_ms); // processing time of the run, not the bids' date_time
      CHECK(start <= after_ms);
      CHECK(windows.insert({bidder, start}).second);
      counted[bidder] += count;
    }
    CHECK(counted == want);
  }
}
