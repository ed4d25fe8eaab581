// Event time through the runtime: timestamps survive the network, watermarks arrive in order
// with the records (none behind a watermark), and event-time windows fire from watermarks.

#include "job_test_util.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <stdexcept>

using namespace sluice;
using sluice::test::test_config;

namespace {

/// What one observer subtask saw, in order: records (value, timestamp) and watermarks.
struct observation {
  bool is_watermark = false;
  std::int64_t value = 0;
  std::int64_t timestamp = 0;
};

struct observations {
  std::mutex mutex;
  std::map<int, std::vector<observation>> by_subtask;
};

class observer final : public one_input_operator<std::int64_t, std::int64_t> {
public:
  explicit observer(std::shared_ptr<observations> log) : log_(std::move(log)) {}
  void collect(std::int64_t&& v) override {
    add({false, v, ctx_.current_timestamp()});
    out_->collect(std::move(v));
  }
  void process_watermark(std::int64_t wm) override {
    add({true, 0, wm});
    out_->emit_watermark(wm);
  }
  using one_input_operator::collect;

private:
  void add(observation o) {
    std::lock_guard<std::mutex> guard(log_->mutex);
    log_->by_subtask[ctx_.subtask_index].push_back(o);
  }
  std::shared_ptr<observations> log_;
};

using kv = std::pair<std::int64_t, std::int64_t>;

/// Emits ((key, window start), sum of values) per window.
class sum_with_start final
    : public process_window_function<std::int64_t, kv, std::pair<kv, std::int64_t>> {
public:
  void process(const context& ctx, const std::vector<kv>& elements,
               collector<std::pair<kv, std::int64_t>>& out) override {
    std::int64_t sum = 0;
    for (const auto& e : elements)
      sum += e.second;
    out.collect(std::pair<kv, std::int64_t>{kv{ctx.key(), ctx.window().start}, sum});
  }
};

} // namespace

TEST_CASE("timestamps cross the network and no record arrives behind a watermark") {
  const std::int64_t n = 5000;
  for (int p : {1, 2, 4}) {
    for (std::int64_t interval : {0, 1}) {
      CAPTURE(p);
      CAPTURE(interval);
      auto cfg = test_config(p, 256);
      cfg.watermark_interval_ms = interval;
      environment env(cfg);
      auto log = std::make_shared<observations>();
      env.from_source(sequence_source{0, n - 1}, "numbers",
                      watermark_strategy<std::int64_t>::for_monotonous_timestamps()
                          .with_timestamp_assigner([](const std::int64_t& v, std::int64_t) {
                            return v * 10;
                          }))
          .rebalance()
          .add_operator<std::int64_t>("observe", [log] { return std::make_unique<observer>(log); })
          .sink_to(discarding_sink<std::int64_t>{});
      auto result = env.execute("event time");
      REQUIRE_MESSAGE(result.ok(), result.error());
      std::int64_t records = 0;
      for (const auto& [subtask, seen] : log->by_subtask) {
        std::int64_t wm = min_watermark;
        for (const auto& o : seen) {
          if (o.is_watermark) {
            CHECK(o.timestamp > wm); // watermarks only advance
            wm = o.timestamp;
          } else {
            ++records;
            CHECK(o.timestamp == o.value * 10);
            CHECK(o.timestamp > wm); // nothing at or before a watermark follows it
          }
        }
        CHECK(wm == max_watermark); // end of input is the maximum watermark
      }
      CHECK(records == n);
    }
  }
}

TEST_CASE("tumbling event-time windows fire from watermarks across subtasks") {
  const std::int64_t n = 3000;
  // Record v: key v % 3, timestamp 7 * v, value v; windows of 100 ms.
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> expected; // (key, start) -> sum
  for (std::int64_t v = 0; v < n; ++v)
    expected[{v % 3, (7 * v) / 100 * 100}] += v;
  // With watermark alignment at 10 ms: each source subtask reads its own range of the sequence,
  // so the later ones run thousands of ms of event time ahead of the first and their channels
  // are held until it ends; the windows are the same.
  for (auto [p, alignment_ms] : {std::pair{1, 0}, {2, 0}, {4, 0}, {2, 10}, {4, 10}}) {
    CAPTURE(p);
    CAPTURE(alignment_ms);
    auto cfg = test_config(p, 512);
    cfg.watermark_interval_ms = 0;
    cfg.watermark_alignment_ms = alignment_ms;
    environment env(cfg);
    collecting_sink<std::pair<kv, std::int64_t>> sink;
    env.from_source(sequence_source{0, n - 1}, "numbers",
                    watermark_strategy<std::int64_t>::for_bounded_out_of_orderness(
                        std::chrono::milliseconds(50))
                        .with_timestamp_assigner(
                            [](const std::int64_t& v, std::int64_t) { return 7 * v; }))
        .map([](std::int64_t v) { return kv{v % 3, v}; })
        .key_by([](const kv& r) { return r.first; })
        .window(tumbling_windows{100})
        .process(sum_with_start{})
        .sink_to(sink);
    auto result = env.execute("windows");
    REQUIRE_MESSAGE(result.ok(), result.error());
    std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> got;
    for (const auto& [key_start, sum] : sink.results())
      CHECK(got.emplace(std::pair{key_start.first, key_start.second}, sum).second);
    CHECK(got == expected);
  }
}

namespace {

/// Evens go on with their timestamp attached; odds go to a side output.
class split_odd final
    : public process_function<std::int64_t, std::pair<std::int64_t, std::int64_t>> {
public:
  static inline const output_tag<std::int64_t> odd{"odd"};
  void process_element(std::int64_t&& v, context& ctx,
                       collector<std::pair<std::int64_t, std::int64_t>>& out) override {
    if (v % 2 != 0) {
      ctx.output(odd, v);
      return;
    }
    // Runs on a subtask's thread: a violation fails the job, which the test checks.
    if (!ctx.timestamp() || ctx.current_watermark() >= *ctx.timestamp())
      throw std::logic_error("record without timestamp, or behind the watermark");
    out.collect(std::pair<std::int64_t, std::int64_t>{v, *ctx.timestamp()});
  }
};

} // namespace

TEST_CASE("a process function reads timestamps and watermarks and emits to a side output") {
  const std::int64_t n = 2000;
  for (int p : {1, 2, 4}) {
    CAPTURE(p);
    environment env(test_config(p, 256));
    collecting_sink<std::pair<std::int64_t, std::int64_t>> evens;
    collecting_sink<std::int64_t> odds;
    auto main = env.from_source(sequence_source{0, n - 1}, "numbers",
                                watermark_strategy<std::int64_t>::for_monotonous_timestamps()
                                    .with_timestamp_assigner(
                                        [](const std::int64_t& v, std::int64_t) { return v * 10; }))
                    .rebalance()
                    .process(split_odd{});
    main.sink_to(evens);
    main.get_side_output(split_odd::odd).sink_to(odds);
    auto result = env.execute("side outputs");
    REQUIRE_MESSAGE(result.ok(), result.error());
    auto e = evens.results();
    auto o = odds.results();
    CHECK(e.size() == static_cast<std::size_t>(n / 2));
    for (const auto& [v, ts] : e)
      CHECK(ts == v * 10);
    std::sort(o.begin(), o.end());
    REQUIRE(o.size() == static_cast<std::size_t>(n / 2));
    for (std::size_t i = 0; i < o.size(); ++i)
      CHECK(o[i] == static_cast<std::int64_t>(2 * i + 1));
  }
}
