// Two-input jobs on the embedded local cluster at parallelism 1, 2 and 4: connected streams
// (co_map, keyed co_process with timers), window join and co-group, and interval join, each
// checked against results computed here by brute force.

#include "job_test_util.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using namespace sluice;
using sluice::test::test_config;

namespace {

using kv = std::pair<std::int64_t, std::int64_t>;

/// The numbers from..to with timestamps `scale * v`, watermarks for monotonous timestamps.
data_stream<std::int64_t> numbers(environment& env, std::int64_t from, std::int64_t to,
                                  std::int64_t scale, const std::string& name) {
  return env.from_source(sequence_source{from, to}, name,
                         watermark_strategy<std::int64_t>::for_monotonous_timestamps()
                             .with_timestamp_assigner([scale](const std::int64_t& v, std::int64_t) {
                               return scale * v;
                             }));
}

/// The records of a sink, sorted.
template <class T>
std::vector<T> sorted(const collecting_sink<T>& sink) {
  std::vector<T> out;
  for (auto& r : sink.results())
    out.push_back(r);
  std::sort(out.begin(), out.end());
  return out;
}

job_config two_input_config(int p) {
  auto cfg = test_config(p, 256);
  cfg.watermark_interval_ms = 0;
  return cfg;
}

/// Output kinds of `matcher`.
enum : std::int64_t { matched = 0, first_only = 1, second_only = 2 };

/// Matches equal numbers of both inputs (the key is the number); a number still without a
/// partner when the watermark passes its timestamp + 5 is reported unmatched. The side a key
/// waits on is keyed state, shared by both inputs.
class matcher final
    : public keyed_co_process_function<std::int64_t, std::int64_t, std::int64_t, kv> {
public:
  void open(const runtime_context& ctx) override {
    waiting_ = &ctx.get_state(value_state_descriptor<int>("waiting side"));
  }
  void process_element1(std::int64_t&& v, context& ctx, collector<kv>& out) override {
    arrive(v, 1, ctx, out);
  }
  void process_element2(std::int64_t&& v, context& ctx, collector<kv>& out) override {
    arrive(v, 2, ctx, out);
  }
  void on_timer(std::int64_t, on_timer_context& ctx, collector<kv>& out) override {
    const auto side = waiting_->value();
    if (!side)
      return;
    out.collect(kv{*side == 1 ? first_only : second_only, ctx.current_key()});
    waiting_->clear();
  }

private:
  void arrive(std::int64_t v, int side, context& ctx, collector<kv>& out) {
    const auto waiting = waiting_->value();
    if (waiting && *waiting != side) {
      out.collect(kv{matched, v});
      waiting_->clear();
      return;
    }
    waiting_->update(side);
    ctx.timer_service().register_event_time_timer(*ctx.timestamp() + 5);
  }
  value_state<int>* waiting_ = nullptr;
};

} // namespace

TEST_CASE("co_map merges two streams of different types") {
  const std::int64_t n = 2000;
  for (int p : {1, 2, 4}) {
    CAPTURE(p);
    environment env(test_config(p, 256));
    collecting_sink<kv> sink;
    auto words = env.from_source(sequence_source{0, n - 1}, "b").map([](std::int64_t v) {
      return std::to_string(v);
    });
    env.from_source(sequence_source{0, n - 1}, "a")
        .connect(words)
        .co_map([](std::int64_t v) { return kv{1, 3 * v}; },
                [](std::string s) { return kv{2, std::stoll(s)}; })
        .sink_to(sink);
    auto result = env.execute("co_map");
    REQUIRE_MESSAGE(result.ok(), result.error());
    std::vector<kv> expected;
    for (std::int64_t v = 0; v < n; ++v) {
      expected.push_back({1, 3 * v});
      expected.push_back({2, v});
    }
    std::sort(expected.begin(), expected.end());
    CHECK(sorted(sink) == expected);
  }
}

TEST_CASE("keyed co_process matches records of both inputs by key, with keyed state and "
          "event-time timers, on both backends") {
  // First input 0..n-1, second the even numbers 0..2n-2; timestamps are the numbers.
  const std::int64_t n = 1500;
  std::vector<kv> expected;
  for (std::int64_t v = 0; v < 2 * n; ++v) {
    if (v < n && v % 2 == 0)
      expected.push_back({matched, v});
    else if (v < n)
      expected.push_back({first_only, v});
    else if (v % 2 == 0)
      expected.push_back({second_only, v});
  }
  std::sort(expected.begin(), expected.end());
  for (auto [p, backend] : {std::pair{1, state_backend_kind::heap},
                             std::pair{2, state_backend_kind::heap},
                             std::pair{4, state_backend_kind::heap},
                             std::pair{2, state_backend_kind::rocksdb}}) {
    CAPTURE(p);
    CAPTURE(to_string(backend));
    auto config = two_input_config(p);
    config.state.kind = backend;
    environment env(config);
    collecting_sink<kv> sink;
    auto evens = numbers(env, 0, n - 1, 2, "b").map([](std::int64_t v) { return 2 * v; });
    numbers(env, 0, n - 1, 1, "a")
        .connect(evens)
        .key_by([](const std::int64_t& v) { return v; }, [](const std::int64_t& v) { return v; })
        .process(matcher{})
        .sink_to(sink);
    auto result = env.execute("keyed co_process");
    REQUIRE_MESSAGE(result.ok(), result.error());
    CHECK(sorted(sink) == expected);
  }
}

TEST_CASE("window join and co-group match brute force") {
  // a: v in 0..n-1 at 3v with key v % 7; b: w in 0..m-1 at 2w with key w % 5.
  const std::int64_t n = 300, m = 400;
  std::vector<kv> join_expected;
  std::map<std::tuple<std::int64_t, std::int64_t>, std::pair<std::vector<std::int64_t>,
                                                             std::vector<std::int64_t>>>
      groups; // (key, window start) -> both sides, sliding windows of 100 every 50
  for (std::int64_t v = 0; v < n; ++v)
    for (std::int64_t w = 0; w < m; ++w)
      if (v % 7 == w % 5 && (3 * v) / 50 == (2 * w) / 50)
        join_expected.push_back({v, w});
  for (std::int64_t start = -50; start < 3 * n; start += 50) {
    for (std::int64_t v = 0; v < n; ++v)
      if (3 * v >= start && 3 * v < start + 100)
        groups[{v % 7, start}].first.push_back(v);
    for (std::int64_t w = 0; w < m; ++w)
      if (2 * w >= start && 2 * w < start + 100)
        groups[{w % 5, start}].second.push_back(w);
  }
  using sides = std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>>;
  std::vector<sides> co_group_expected;
  for (const auto& [key_start, s] : groups)
    co_group_expected.push_back(s);
  std::sort(join_expected.begin(), join_expected.end());
  std::sort(co_group_expected.begin(), co_group_expected.end());
  for (int p : {1, 2, 4}) {
    CAPTURE(p);
    environment env(two_input_config(p));
    collecting_sink<kv> join_sink;
    collecting_sink<sides> co_group_sink;
    auto a = numbers(env, 0, n - 1, 3, "a");
    auto b = numbers(env, 0, m - 1, 2, "b");
    auto key_a = [](const std::int64_t& v) { return v % 7; };
    auto key_b = [](const std::int64_t& w) { return w % 5; };
    a.join(b).where(key_a).equal_to(key_b).window(tumbling_windows{50})
        .apply([](const std::int64_t& v, const std::int64_t& w) { return kv{v, w}; })
        .sink_to(join_sink);
    a.co_group(b).where(key_a).equal_to(key_b).window(sliding_windows{100, 50})
        .apply([](const std::vector<std::int64_t>& first, const std::vector<std::int64_t>& second,
                  collector<sides>& out) {
          sides s{first, second};
          std::sort(s.first.begin(), s.first.end());
          std::sort(s.second.begin(), s.second.end());
          out.collect(std::move(s));
        })
        .sink_to(co_group_sink);
    auto result = env.execute("window join");
    REQUIRE_MESSAGE(result.ok(), result.error());
    CHECK(sorted(join_sink) == join_expected);
    CHECK(sorted(co_group_sink) == co_group_expected);
  }
}

TEST_CASE("interval join matches brute force, with inclusive and exclusive bounds") {
  // a: v in 0..n-1 at 2v; b: w in 0..m-1 at 3w; keys v % 10 and w % 10.
  const std::int64_t n = 600, m = 400, lower = -5, upper = 7;
  for (bool exclusive : {false, true}) {
    std::vector<kv> expected;
    for (std::int64_t v = 0; v < n; ++v)
      for (std::int64_t w = 0; w < m; ++w) {
        const std::int64_t d = 3 * w - 2 * v;
        const bool in = exclusive ? lower < d && d < upper : lower <= d && d <= upper;
        if (v % 10 == w % 10 && in)
          expected.push_back({v, w});
      }
    std::sort(expected.begin(), expected.end());
    for (int p : {1, 2, 4}) {
      CAPTURE(exclusive);
      CAPTURE(p);
      environment env(two_input_config(p));
      collecting_sink<kv> sink;
      auto key = [](const std::int64_t& v) { return v % 10; };
      auto b = numbers(env, 0, m - 1, 3, "b").key_by(key);
      auto joined = numbers(env, 0, n - 1, 2, "a").key_by(key).interval_join(b).between(lower,
                                                                                       upper);
      if (exclusive)
        joined.lower_bound_exclusive().upper_bound_exclusive();
      joined
          .process([](const std::int64_t& v, const std::int64_t& w, collector<kv>& out) {
            out.collect(kv{v, w});
          })
          .sink_to(sink);
      auto result = env.execute("interval join");
      REQUIRE_MESSAGE(result.ok(), result.error());
      CHECK(sorted(sink) == expected);
    }
  }
}
