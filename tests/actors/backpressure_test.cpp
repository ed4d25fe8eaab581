// An unbounded fast source into a deliberately slow sink: credits bound what is in flight, the
// source slows to the sink's pace, and memory stays flat.

#include "job_test_util.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <unistd.h>

using namespace sluice;

namespace {

/// Resident set size of this process, from /proc/self/statm.
std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

/// Shared between the slow sink's copies and the test: records seen, RSS at checkpoints.
struct progress {
  std::mutex mutex;
  std::condition_variable reached;
  std::uint64_t consumed = 0;
  std::size_t rss_early = 0;
  std::size_t rss_late = 0;
};

#if defined(__SANITIZE_ADDRESS__)
/// AddressSanitizer keeps freed batches in its quarantine and grows its shadow memory.
constexpr std::size_t rss_slack = 32 * 1024 * 1024;
#else
constexpr std::size_t rss_slack = 8 * 1024 * 1024;
#endif

constexpr std::uint64_t early_mark = 20000;
constexpr std::uint64_t late_mark = 200000;

/// Spends about a microsecond per record (the deliberate slowness), then counts it.
class slow_sink final : public copyable_sink<slow_sink, std::int64_t> {
public:
  explicit slow_sink(std::shared_ptr<progress> p) : progress_(std::move(p)) {}
  void write(std::int64_t&&) override {
    auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(1);
    while (std::chrono::steady_clock::now() < until) {
    }
    std::lock_guard<std::mutex> guard(progress_->mutex);
    auto n = ++progress_->consumed;
    if (n == early_mark)
      progress_->rss_early = resident_bytes();
    if (n == late_mark) {
      progress_->rss_late = resident_bytes();
      progress_->reached.notify_all();
    }
  }

private:
  std::shared_ptr<progress> progress_;
};

} // namespace

TEST_CASE("a slow sink throttles an unbounded source with bounded memory") {
  auto cfg = test::test_config(1, 1024);
  cfg.chaining = false; // source, map and sink in three subtasks: two credited channels
  environment env(cfg);
  auto p = std::make_shared<progress>();
  env.from_source(sequence_source::unbounded(0), "fast")
      .map([](std::int64_t v) { return v; }, "pass")
      .sink_to(slow_sink{p}, "slow");
  auto client = env.execute_async("backpressure");
  {
    std::unique_lock<std::mutex> lock(p->mutex);
    p->reached.wait(lock, [&] { return p->consumed >= late_mark; });
  }
  auto metrics = client->metrics();
  std::uint64_t consumed_now = 0;
  {
    std::lock_guard<std::mutex> guard(p->mutex);
    consumed_now = p->consumed;
  }
  client->cancel();
  auto result = client->wait();
  CHECK(result.error() == "job cancelled");

  REQUIRE(metrics.size() == 3);
  const auto& source = metrics[0];
  const auto& sink = metrics[2];
  const std::uint64_t records_per_batch = 1024 / sizeof(std::int64_t);
  const std::uint64_t max_credits =
      static_cast<std::uint64_t>(cfg.exclusive_credits + cfg.floating_credits);
  for (const auto& m : metrics) {
    CAPTURE(m.task);
    CHECK(m.max_in_flight <= m.max_credits);
    CHECK(m.max_credits <= max_credits);
  }
  // Between the fast source and the sink sit at most: per channel the credited batches plus
  // one waiting batch and one open buffer, one batch being worked on per subtask, and what the
  // source emits in one poll (1024 records) after its output filled up.
  const std::uint64_t bound = 2 * (max_credits + 3) * records_per_batch + 1024;
  CHECK(source.records_out >= sink.records_in);
  CHECK(source.records_out <= consumed_now + bound);
  // The source spent time unable to emit: it was held back, not just slow.
  CHECK(source.backpressured_ns > 0);
  // Memory stayed flat while 180,000 records went through (an unthrottled source would have
  // queued tens of millions of records, hundreds of MiB, in that time).
  CHECK(p->rss_late <= p->rss_early + rss_slack);
}
