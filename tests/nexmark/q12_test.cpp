// q12: bids per bidder in 10 s tumbling windows of processing time. Which window a bid falls
// in depends on the machine's speed, so the query test asserts what does not: every bid is
// counted in exactly one window of its bidder, and the windows are 10 s windows of the wall
// clock. Its windows' function is driven by hand with a fake clock.

#include "../operators/windows/window_test_harness.hpp"
#include "processing_time_counts.hpp"
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

struct by_bidder {
  std::int64_t operator()(const bidder_bid& b) const { return b.bidder; }
};

/// Keeps the lines of the rows it receives.
class row_lines final : public sluice::collector<row> {
public:
  void collect(row&& r) override { lines.push_back(r.line); }
  void emit_watermark(std::int64_t) override {}
  void emit_watermark_status(bool) override {}
  using sluice::collector<row>::collect;
  /// Returns and clears the lines received, sorted.
  std::vector<std::string> take() { return sorted(std::exchange(lines, {})); }
  std::vector<std::string> lines;
};

} // namespace

TEST_CASE("q12 windows: written when the clock reaches the end, a later window starts, or the "
          "input ends") {
  const auto backend = sluice::test::make_test_keyed_state_backend();
  sluice::window_test::fake_clock clock;
  sluice::timestamp_slot slot;
  row_lines out;
  sluice::keyed_process_operator<processing_time_counts, by_bidder> op(processing_time_counts{100},
                                                                       by_bidder{});
  sluice::runtime_context ctx;
  ctx.operator_name = "q12";
  ctx.element_time = &slot;
  ctx.processing_time = &clock;
  ctx.keyed_state = backend.get();
  op.set_output(out);
  op.open(ctx);
  const auto bid_at = [&](std::int64_t bidder, std::int64_t now) {
    clock.now = now;
    op.collect(bidder_bid{bidder, 0});
  };
  bid_at(1, 5);
  bid_at(1, 50);
  bid_at(2, 50);
  op.on_processing_time(99);
  CHECK(out.take().empty());
  bid_at(1, 99); // the window's last millisecond
  op.on_processing_time(100);
  CHECK(out.take() == lines{"1,3,0,100", "2,1,0,100"});
  bid_at(1, 150);
  bid_at(1, 250); // before the wake-up at 200: the bid closes the window
  CHECK(out.take() == lines{"1,1,100,200"});
  op.on_processing_time(200); // the closed window's timer was deleted
  CHECK(out.take().empty());
  bid_at(2, 260);
  op.process_watermark(sluice::max_watermark); // the input ended: the open windows
  CHECK(out.take() == lines{"1,1,200,300", "2,1,200,300"});
  op.on_processing_time(1000);
  CHECK(out.take().empty());
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
