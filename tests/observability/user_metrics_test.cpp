// User metrics (metric_group), per-operator records in and out and numLateRecordsDropped, read
// from the metrics a finished job returns (job_result::metrics, what its subtasks published
// last). Every expected value is computed here from the input with plain loops.

#include "../actors/job_test_util.hpp"
#include "letter_words.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

using namespace sluice;
using sluice::test::test_config;
using sluice::test::test_random;

namespace {

/// A test's job configuration with metrics on (a local job collects them only with
/// --rest-bind: port 0 picks a free one).
job_config metrics_config(int parallelism) {
  auto cfg = test_config(parallelism);
  cfg.cluster.rest_bind = {"127.0.0.1", 0};
  cfg.cluster.rest_bind_given = true;
  return cfg;
}

/// The quantile q of `values` as Apache Commons Math's Percentile estimates it: position
/// q (n + 1) in the sorted values, linearly interpolated.
double commons_math_quantile(std::vector<std::int64_t> values, double q) {
  std::sort(values.begin(), values.end());
  const double pos = q * (static_cast<double>(values.size()) + 1);
  if (pos < 1)
    return static_cast<double>(values.front());
  if (pos >= static_cast<double>(values.size()))
    return static_cast<double>(values.back());
  const auto below = static_cast<std::size_t>(pos);
  const double fraction = pos - static_cast<double>(below);
  return static_cast<double>(values[below - 1]) +
         fraction * static_cast<double>(values[below] - values[below - 1]);
}

/// Counts lines, marks a meter, records line lengths and shows the longest line, as a rich
/// function registering its metrics in open().
struct measured_lines {
  metric_counter* lines = nullptr;
  metric_meter* meter = nullptr;
  metric_histogram* lengths = nullptr;
  std::shared_ptr<std::int64_t> longest = std::make_shared<std::int64_t>(0);

  void open(runtime_context& ctx) {
    auto group = ctx.metric_group().add_group("text");
    lines = &ctx.metric_group().counter("lines");
    meter = &ctx.metric_group().meter("linesMeter");
    lengths = &group.histogram("lineLength");
    auto longest_seen = longest;
    ctx.metric_group().gauge("longestLine",
                             [longest_seen] { return static_cast<double>(*longest_seen); });
  }
  std::string operator()(std::string line) const {
    lines->inc();
    meter->mark_event();
    const auto n = static_cast<std::int64_t>(line.size());
    lengths->update(n);
    *longest = std::max(*longest, n);
    return line;
  }
};

const user_metric_value& user_metric(const operator_metrics& op, const std::string& name) {
  for (const auto& v : op.user)
    if (v.name == name)
      return v;
  FAIL("operator '" << op.name << "' has no user metric '" << name << "'");
  throw std::logic_error("unreachable");
}

/// The operator `name` of every subtask that has it.
std::vector<const operator_metrics*> operators_named(const job_result& r, const std::string& name) {
  std::vector<const operator_metrics*> out;
  for (const auto& s : r.metrics)
    for (const auto& op : s.operators)
      if (op.name == name)
        out.push_back(&op);
  return out;
}

} // namespace

TEST_CASE("metrics.histogram_statistics_of_known_values") {
  // 1..100 shuffled: the quantile q of 1..n is q (n + 1), clamped to [1, n].
  std::vector<std::int64_t> values;
  for (std::int64_t v = 1; v <= 100; ++v)
    values.push_back(v);
  test_random rnd(7);
  for (std::size_t i = values.size(); i > 1; --i)
    std::swap(values[i - 1], values[rnd.below(i)]);
  metric_histogram h(1024);
  for (auto v : values)
    h.update(v);
  const auto s = h.statistics();
  CHECK(h.count() == 100);
  CHECK(h.sum() == doctest::Approx(5050));
  CHECK(s.min == 1);
  CHECK(s.max == 100);
  CHECK(s.mean == doctest::Approx(50.5));
  // Sample standard deviation of 1..n: sqrt(n (n + 1) / 12).
  CHECK(s.stddev == doctest::Approx(std::sqrt(100.0 * 101.0 / 12.0)));
  REQUIRE(s.quantiles.size() == histogram_quantiles().size());
  for (std::size_t i = 0; i < s.quantiles.size(); ++i) {
    const double q = histogram_quantiles()[i];
    CAPTURE(q);
    CHECK(s.quantiles[i] == doctest::Approx(std::min(100.0, std::max(1.0, q * 101))));
  }
}

TEST_CASE("metrics.histogram_window_keeps_the_latest_values") {
  // 3000 random values into a window of 500: statistics over the last 500 only.
  test_random rnd(11);
  std::vector<std::int64_t> all;
  metric_histogram h(500);
  for (int i = 0; i < 3000; ++i) {
    all.push_back(static_cast<std::int64_t>(rnd.below(100000)) - 5000);
    h.update(all.back());
  }
  const std::vector<std::int64_t> last(all.end() - 500, all.end());
  const auto s = h.statistics();
  CHECK(h.count() == 3000);
  CHECK(s.min == *std::min_element(last.begin(), last.end()));
  CHECK(s.max == *std::max_element(last.begin(), last.end()));
  double sum = 0;
  for (auto v : last)
    sum += static_cast<double>(v);
  CHECK(s.mean == doctest::Approx(sum / 500));
  for (std::size_t i = 0; i < s.quantiles.size(); ++i)
    CHECK(s.quantiles[i] == doctest::Approx(commons_math_quantile(last, histogram_quantiles()[i])));
}

TEST_CASE("metrics.group_names_and_kinds") {
  metric_group g;
  g.counter("a").inc(3);
  g.counter("a").dec();
  g.add_group("x").add_group("y").meter("m").mark_event(5);
  g.gauge("g", [] { return 2.5; });
  CHECK_THROWS_AS(g.meter("a"), std::invalid_argument);
  CHECK_THROWS_AS(g.counter(""), std::invalid_argument);
  const auto snap = g.snapshot();
  std::map<std::string, user_metric_value> by_name;
  for (const auto& v : snap)
    by_name[v.name] = v;
  REQUIRE(by_name.size() == 3);
  CHECK(by_name["a"].kind == "counter");
  CHECK(by_name["a"].count == 2);
  CHECK(by_name["x.y.m"].kind == "meter");
  CHECK(by_name["x.y.m"].count == 5);
  CHECK(by_name["g"].value == 2.5);
}

TEST_CASE("metrics.user_metrics_of_a_job") {
  const auto text = sluice::test::generated_text(700, 3);
  std::int64_t longest = 0;
  std::vector<std::int64_t> lengths;
  for (const auto& line : text) {
    lengths.push_back(static_cast<std::int64_t>(line.size()));
    longest = std::max(longest, lengths.back());
  }
  for (int p : {1, 2}) {
    CAPTURE(p);
    environment env(metrics_config(p));
    collecting_sink<std::string> sink;
    env.from_source(collection_source<std::string>{text}, "text")
        .map(measured_lines{}, "measure")
        .sink_to(sink);
    auto result = env.execute("user metrics");
    REQUIRE_MESSAGE(result.ok(), result.error());
    const auto ops = operators_named(result, "measure");
    REQUIRE(ops.size() == static_cast<std::size_t>(p));
    std::int64_t lines = 0, marked = 0, recorded = 0;
    double sum = 0;
    for (const auto* op : ops) {
      lines += user_metric(*op, "lines").count;
      marked += user_metric(*op, "linesMeter").count;
      recorded += user_metric(*op, "text.lineLength").count;
      sum += user_metric(*op, "text.lineLength").value;
      CHECK(user_metric(*op, "lines").kind == "counter");
      CHECK(user_metric(*op, "linesMeter").kind == "meter");
      CHECK(user_metric(*op, "longestLine").kind == "gauge");
    }
    const auto n = static_cast<std::int64_t>(text.size());
    CHECK(lines == n);
    CHECK(marked == n);
    CHECK(recorded == n);
    double expected_sum = 0;
    for (auto l : lengths)
      expected_sum += static_cast<double>(l);
    CHECK(sum == doctest::Approx(expected_sum));
    if (p == 1) {
      // One subtask saw every line (fewer than the window of 1024).
      const auto& h = user_metric(*ops.front(), "text.lineLength");
      CHECK(user_metric(*ops.front(), "longestLine").value == static_cast<double>(longest));
      CHECK(h.statistics.max == longest);
      CHECK(h.statistics.min == *std::min_element(lengths.begin(), lengths.end()));
      for (std::size_t i = 0; i < h.statistics.quantiles.size(); ++i)
        CHECK(h.statistics.quantiles[i] ==
              doctest::Approx(commons_math_quantile(lengths, histogram_quantiles()[i])));
    }
  }
}

TEST_CASE("metrics.records_in_and_out_per_chained_operator") {
  const auto text = sluice::test::generated_text(900, 5);
  std::int64_t words = 0, long_words = 0;
  for (const auto& line : text) {
    std::string word;
    for (char c : line + " ") {
      if (std::isalpha(static_cast<unsigned char>(c))) {
        word += c;
        continue;
      }
      if (!word.empty()) {
        ++words;
        long_words += word.size() > 4 ? 1 : 0;
      }
      word.clear();
    }
  }
  const auto n = static_cast<std::uint64_t>(text.size());
  for (int p : {1, 3}) {
    CAPTURE(p);
    environment env(metrics_config(p));
    collecting_sink<std::size_t> sink;
    env.from_source(collection_source<std::string>{text}, "text")
        .flat_map(sluice::test::letter_words, "split")
        .filter([](const std::string& w) { return w.size() > 4; }, "long only")
        .map([](std::string w) { return w.size(); }, "length")
        .sink_to(sink, "collect");
    auto result = env.execute("operator records");
    REQUIRE_MESSAGE(result.ok(), result.error());
    const auto sum = [&](const std::string& name, bool in) {
      std::uint64_t total = 0;
      for (const auto* op : operators_named(result, name))
        total += in ? op->records_in : op->records_out;
      return total;
    };
    CHECK(sum("split", true) == n);
    CHECK(sum("split", false) == static_cast<std::uint64_t>(words));
    CHECK(sum("long only", true) == static_cast<std::uint64_t>(words));
    CHECK(sum("long only", false) == static_cast<std::uint64_t>(long_words));
    CHECK(sum("length", true) == static_cast<std::uint64_t>(long_words));
    CHECK(sum("length", false) == static_cast<std::uint64_t>(long_words));
    CHECK(sum("Sink: collect", true) == static_cast<std::uint64_t>(long_words));
    CHECK(sum("Sink: collect", false) == 0);
    CHECK(sink.results().size() == static_cast<std::size_t>(long_words));
  }
}

TEST_CASE("metrics.late_records_dropped_by_a_window_operator") {
  // Timestamps rise by 5 with one record in eight delayed by up to 400 ms; watermarks follow
  // every record (bounded out-of-orderness 20: max timestamp - 21). A record is dropped as late
  // when its tumbling window [start, start + 100) ended, allowed lateness included, at or
  // before the watermark it arrives behind: start + 99 + lateness <= watermark.
  test_random rnd(42);
  std::vector<std::int64_t> stamps;
  for (std::int64_t i = 0; i < 3000; ++i)
    stamps.push_back(1000 + 5 * i -
                     (rnd.below(8) == 0 ? static_cast<std::int64_t>(rnd.below(400)) : 0));
  for (std::int64_t lateness : {0, 150}) {
    CAPTURE(lateness);
    std::int64_t expected = 0;
    std::int64_t max_ts = std::numeric_limits<std::int64_t>::min() / 2;
    for (auto ts : stamps) {
      const std::int64_t watermark = max_ts - 20 - 1;
      const std::int64_t start = ts - ts % 100;
      if (start + 99 + lateness <= watermark)
        ++expected;
      max_ts = std::max(max_ts, ts);
    }
    REQUIRE(expected > 0);
    auto cfg = metrics_config(2);
    cfg.watermark_interval_ms = 0;
    environment env(cfg);
    collecting_sink<std::int64_t> sink;
    env.from_source(collection_source<std::int64_t>{stamps}, "stamps")
        .set_parallelism(1)
        .assign_timestamps_and_watermarks(
            watermark_strategy<std::int64_t>::for_bounded_out_of_orderness(
                std::chrono::milliseconds(20))
                .with_timestamp_assigner([](const std::int64_t& v, std::int64_t) { return v; }))
        .set_parallelism(1)
        .key_by([](const std::int64_t& v) { return v % 3; })
        .window(tumbling_windows{100})
        .allowed_lateness(lateness)
        .reduce([](std::int64_t a, const std::int64_t& b) { return a + b; })
        .sink_to(sink);
    auto result = env.execute("late records");
    REQUIRE_MESSAGE(result.ok(), result.error());
    std::uint64_t dropped = 0;
    for (const auto& s : result.metrics)
      for (const auto& op : s.operators)
        dropped += op.late_records_dropped;
    CHECK(dropped == static_cast<std::uint64_t>(expected));
  }
}
