// window_all on non-keyed streams: every record goes to one window operator instance at
// parallelism 1 while the sources run in parallel; results are computed independently here.

#include "job_test_util.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>

using namespace sluice;
using sluice::test::test_config;

namespace {

using start_and_value = std::pair<std::int64_t, std::int64_t>;

/// Emits (window start, the single reduce/aggregate result); checks the context's watermark.
class with_start final
    : public process_all_window_function<std::int64_t, start_and_value> {
public:
  void process(const context& ctx, const std::vector<std::int64_t>& elements,
               collector<start_and_value>& out) override {
    CHECK(elements.size() == 1);
    CHECK(ctx.current_watermark() >= ctx.window().max_timestamp());
    out.collect(start_and_value{ctx.window().start, elements.front()});
  }
};

/// Emits (window start, number of elements).
class count_all final : public process_all_window_function<std::int64_t, start_and_value> {
public:
  void process(const context& ctx, const std::vector<std::int64_t>& elements,
               collector<start_and_value>& out) override {
    out.collect(start_and_value{ctx.window().start, static_cast<std::int64_t>(elements.size())});
  }
};

struct sum_aggregate {
  std::int64_t create_accumulator() const { return 0; }
  std::int64_t add(const std::int64_t& v, std::int64_t acc) const { return acc + v; }
  std::int64_t merge(std::int64_t a, std::int64_t b) const { return a + b; }
  std::int64_t get_result(const std::int64_t& acc) const { return acc; }
};

auto add = [](std::int64_t a, const std::int64_t& b) { return a + b; };

/// Record v of 0..n-1 has timestamp 7 * v; the sources run at the job's parallelism.
data_stream<std::int64_t> numbers(environment& env, std::int64_t n) {
  return env.from_source(sequence_source{0, n - 1}, "numbers",
                         watermark_strategy<std::int64_t>::for_bounded_out_of_orderness(
                             std::chrono::milliseconds(20))
                             .with_timestamp_assigner(
                                 [](const std::int64_t& v, std::int64_t) { return 7 * v; }));
}

/// `values` in order through one source and one timestamp assigner (timestamp = ts(value)), so
/// lateness and trigger counts are deterministic whatever the job's parallelism.
template <class Ts>
data_stream<std::int64_t> in_order(environment& env, std::vector<std::int64_t> values, Ts ts) {
  return env.from_source(collection_source<std::int64_t>{std::move(values)}, "values")
      .assign_timestamps_and_watermarks(
          watermark_strategy<std::int64_t>::for_monotonous_timestamps().with_timestamp_assigner(
              [ts](const std::int64_t& v, std::int64_t) { return ts(v); }))
      .set_parallelism(1);
}

/// The parallelism of the plan's vertex whose name contains `name`.
int vertex_parallelism(const environment& env, const std::string& name) {
  auto plan = env.plan();
  for (const auto& v : plan->vertices())
    if (v.name.find(name) != std::string::npos)
      return v.parallelism;
  FAIL("no vertex named " << name);
  return 0;
}

std::map<std::int64_t, std::int64_t> by_start(const std::vector<start_and_value>& results) {
  std::map<std::int64_t, std::int64_t> out;
  for (const auto& [start, value] : results)
    CHECK(out.emplace(start, value).second); // each window fires once
  return out;
}

} // namespace

TEST_CASE("window_all: tumbling sums over all records in one subtask") {
  const std::int64_t n = 3000;
  std::map<std::int64_t, std::int64_t> expected; // window start -> sum
  for (std::int64_t v = 0; v < n; ++v)
    expected[7 * v / 100 * 100] += v;
  std::vector<std::int64_t> expected_sums;
  for (const auto& [start, sum] : expected)
    expected_sums.push_back(sum);
  for (int p : {1, 2, 4}) {
    CAPTURE(p);
    auto cfg = test_config(p, 256);
    cfg.watermark_interval_ms = 0;
    environment env(cfg);
    collecting_sink<start_and_value> reduced;
    collecting_sink<start_and_value> aggregated;
    collecting_sink<std::int64_t> plain;
    auto input = numbers(env, n);
    input.window_all(tumbling_windows{100}).reduce(add, with_start{}, "all_reduce").sink_to(reduced);
    input.window_all(tumbling_windows{100})
        .aggregate(sum_aggregate{}, with_start{}, "all_aggregate")
        .sink_to(aggregated);
    input.window_all(tumbling_windows{100}).reduce(add, "all_plain").sink_to(plain);
    CHECK(vertex_parallelism(env, "numbers") == p);
    CHECK(vertex_parallelism(env, "all_reduce") == 1);
    CHECK(vertex_parallelism(env, "all_aggregate") == 1);
    CHECK(vertex_parallelism(env, "all_plain") == 1);
    auto result = env.execute("window_all tumbling");
    REQUIRE_MESSAGE(result.ok(), result.error());
    CHECK(by_start(reduced.results()) == expected);
    CHECK(by_start(aggregated.results()) == expected);
    auto sums = plain.results();
    std::sort(sums.begin(), sums.end());
    std::sort(expected_sums.begin(), expected_sums.end());
    CHECK(sums == expected_sums);
  }
}

TEST_CASE("window_all: sliding counts with a process-all-window function") {
  const std::int64_t n = 2000;
  const std::int64_t size = 100;
  const std::int64_t slide = 30;
  std::map<std::int64_t, std::int64_t> expected; // window start -> count
  for (std::int64_t v = 0; v < n; ++v) {
    const std::int64_t ts = 7 * v;
    for (std::int64_t start = ts - ts % slide; start > ts - size; start -= slide)
      ++expected[start];
  }
  for (int p : {1, 2, 4}) {
    CAPTURE(p);
    auto cfg = test_config(p, 256);
    cfg.watermark_interval_ms = 0;
    environment env(cfg);
    collecting_sink<start_and_value> sink;
    numbers(env, n).window_all(sliding_windows{size, slide}).process(count_all{}, "all_counts")
        .sink_to(sink);
    CHECK(vertex_parallelism(env, "all_counts") == 1);
    auto result = env.execute("window_all sliding");
    REQUIRE_MESSAGE(result.ok(), result.error());
    CHECK(by_start(sink.results()) == expected);
  }
}

TEST_CASE("window_all: parallelism above 1 is rejected") {
  environment env(test_config(2));
  collecting_sink<std::int64_t> sink;
  numbers(env, 10).window_all(tumbling_windows{100}).reduce(add).set_parallelism(2).sink_to(sink);
  CHECK_THROWS_AS(env.plan(), config_error);
}

TEST_CASE("window_all: allowed lateness re-fires and later records go to the late output") {
  // Timestamp = value; a watermark after every record (value - 1).
  const std::vector<std::int64_t> values = {10, 20, 150, 30, 260, 40};
  for (int p : {1, 2, 4}) {
    CAPTURE(p);
    auto cfg = test_config(p);
    cfg.watermark_interval_ms = 0;
    environment env(cfg);
    collecting_sink<start_and_value> sink;
    collecting_sink<std::int64_t> late_sink;
    const output_tag<std::int64_t> late{"late"};
    auto sums =
        in_order(env, values, [](std::int64_t v) { return v; })
            .window_all(tumbling_windows{100})
            .allowed_lateness(100)
            .side_output_late_data(late)
            .reduce(add, with_start{});
    sums.sink_to(sink).set_parallelism(1); // one sink subtask keeps the firing order
    sums.get_side_output(late).sink_to(late_sink);
    auto result = env.execute("window_all lateness");
    REQUIRE_MESSAGE(result.ok(), result.error());
    // [0,100) fires 30 at watermark 149, re-fires 60 for the allowed late 30; 40 comes after
    // watermark 259, past [0,100)'s cleanup at 199.
    CHECK(sink.results() ==
          std::vector<start_and_value>{{0, 30}, {0, 60}, {100, 150}, {200, 260}});
    CHECK(late_sink.results() == std::vector<std::int64_t>{40});
  }
}

TEST_CASE("window_all: count trigger with a count evictor") {
  // One window holding 1..10: fires at every third element, keeping the last two.
  for (int p : {1, 2, 4}) {
    CAPTURE(p);
    auto cfg = test_config(p);
    cfg.watermark_interval_ms = 0;
    environment env(cfg);
    collecting_sink<std::int64_t> sink;
    in_order(env, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, [](std::int64_t) { return std::int64_t{0}; })
        .window_all(tumbling_windows{1000})
        .trigger(count_trigger<time_window>(3))
        .evictor(count_evictor(2))
        .reduce(add)
        .sink_to(sink)
        .set_parallelism(1);
    auto result = env.execute("window_all count");
    REQUIRE_MESSAGE(result.ok(), result.error());
    // [1,2,3] -> [2,3]: 5; [2,3,4,5,6] -> [5,6]: 11; [5,6,7,8,9] -> [8,9]: 17.
    CHECK(sink.results() == std::vector<std::int64_t>{5, 11, 17});
  }
}
