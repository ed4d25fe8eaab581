// Processing-time timers in a subtask actor, deterministically: the subtasks run on CAF's
// test_coordinator (stepped_job.hpp), read a clock the test sets and take their wake-ups when
// the test delivers them. A timer at t fires once the clock passed t (as Flink): a processing-
// time window [s, e) has its timer at e - 1, and a record taken while the clock reads e - 1
// still counts in it.

#include "job_test_util.hpp"
#include "stepped_job.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

using namespace sluice;
using sluice::test::delivery;
using sluice::test::stepped_job;
using sluice::test::test_config;
using sluice::test::vertex_named;

namespace {

using start_and_sum = std::pair<std::int64_t, std::int64_t>;

/// Emits (window start, the sum of its records).
class sum_with_start final : public process_all_window_function<std::int64_t, start_and_sum> {
public:
  void process(const context& ctx, const std::vector<std::int64_t>& elements,
               collector<start_and_sum>& out) override {
    std::int64_t sum = 0;
    for (auto v : elements)
      sum += v;
    out.collect(start_and_sum{ctx.window().start, sum});
  }
};

/// How many deliveries of kind `what` subtask `to` took.
std::size_t taken(const stepped_job& job, int to, delivery::kind what) {
  return static_cast<std::size_t>(
      std::count_if(job.deliveries().begin(), job.deliveries().end(),
                    [&](const delivery& d) { return d.to == to && d.what == what; }));
}

constexpr std::int64_t window_start = 7000; ///< the window [7000, 8000): its timer at 7999
constexpr std::int64_t window_last = window_start + 999;

job_config one_batch_at_a_time() {
  auto config = test_config(1);
  config.buffer_timeout_ms = 0;   // a batch per record
  config.exclusive_credits = 1;   // the source sends a batch once the window took the one before
  config.floating_credits = 0;
  config.metrics_interval_ms = 0; // no delayed message but the wake-ups
  return config;
}

/// 1, 2, 4 from a source to a processing-time tumbling window of 1000 ms over all records,
/// its sums collected; the clock is `now`. Runs until the window took 1 at 7010 (the window
/// and its timer are created).
struct window_job {
  window_job() {
    environment env(config);
    env.from_source(collection_source<std::int64_t>{{1, 2, 4}}, "numbers")
        .window_all(tumbling_windows{1000, 0, time_domain::processing_time})
        .process(sum_with_start{}, "window")
        .sink_to(sink, "collect");
    plan = env.plan();
    REQUIRE(plan->vertices().size() == 2);
    source = vertex_named(*plan, "numbers");
    window = vertex_named(*plan, "window");
    job.emplace(plan, config, "processing time", [this] { return now; });
    job->start();
    job->run({}, [&] { return batches_taken() == 1; });
    REQUIRE(batches_taken() == 1);
  }
  std::size_t batches_taken() const { return taken(*job, window, delivery::kind::batch); }
  std::size_t wakeups_taken() const { return taken(*job, window, delivery::kind::wakeup); }
  /// Delivers the delayed messages (the window's wake-up) and runs what the window took.
  std::size_t deliver_wakeups() {
    const auto n = job->trigger_timeouts();
    job->run({source});
    return n;
  }
  /// Runs the source and the window until the window took `n` batches.
  void take_batches(std::size_t n) {
    job->run({}, [&] { return batches_taken() == n; });
    REQUIRE(batches_taken() == n);
  }
  /// The lines written for window [7000, 8000).
  std::vector<start_and_sum> first_window_lines() const {
    std::vector<start_and_sum> out;
    for (const auto& r : sink.results())
      if (r.first == window_start)
        out.push_back(r);
    return out;
  }

  const job_config config = one_batch_at_a_time();
  collecting_sink<start_and_sum> sink;
  std::shared_ptr<const execution_plan> plan;
  int source = 0;
  int window = 0;
  std::int64_t now = window_start + 10;
  std::optional<stepped_job> job;
};

} // namespace

TEST_CASE("subtask processing time: a window's timer at its last millisecond fires once the "
          "clock passed it, and a record taken at that millisecond counts in the window") {
  window_job w;
  w.now = window_last; // the clock reads the timer's time: it has not passed it
  CHECK(w.deliver_wakeups() == 1);
  CHECK(w.wakeups_taken() == 1);
  CHECK(w.sink.results().empty());

  w.take_batches(2); // 2 at 7999: the same window
  CHECK(w.sink.results().empty());

  w.now = window_last + 1;
  CHECK(w.deliver_wakeups() == 1);
  CHECK(w.wakeups_taken() == 2);
  CHECK(w.sink.results() == std::vector<start_and_sum>{{window_start, 1 + 2}});

  w.job->run(); // 4 at 8000 in the next window, then the end of input
  CHECK(w.first_window_lines() == std::vector<start_and_sum>{{window_start, 1 + 2}});
  CHECK(w.job->inbox().failed.empty());
}

TEST_CASE("subtask processing time: a wake-up that comes before the clock passed its time is "
          "armed again, its timer is not lost") {
  window_job w;
  for (const auto early : {window_start + 500, window_last - 1, window_last}) {
    CAPTURE(early);
    w.now = early;
    CHECK(w.deliver_wakeups() == 1);
    CHECK(w.sink.results().empty());
  }
  CHECK(w.wakeups_taken() == 3);

  w.now = window_last + 1;
  CHECK(w.deliver_wakeups() == 1);
  CHECK(w.wakeups_taken() == 4);
  for (const auto& d : w.job->deliveries())
    if (d.what == delivery::kind::wakeup)
      CHECK(d.value == window_last);
  CHECK(w.sink.results() == std::vector<start_and_sum>{{window_start, 1}});
}
