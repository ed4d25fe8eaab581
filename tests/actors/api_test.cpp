// Runtime tests for the parts of the job API the other tests leave out: keyed min/max on tuples
// and pairs, sum/min/max of struct fields, process functions (plain and keyed), an explicit
// forward(), name() in failure messages, a finite source rate, and the buffer timeout and batch
// size settings. Real jobs on the embedded local cluster at parallelism 1, 2 and 4; the expected
// results are computed here without the engine.

#include "job_test_util.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using namespace sluice;
using sluice::test::test_config;

namespace {

// -- helpers ----------------------------------------------------------------------------------

/// The indices [first, last) that subtask s of p reads from a bounded parallel source of n
/// indices (sequence_source's documented split: [s*n/p, (s+1)*n/p)).
std::pair<std::int64_t, std::int64_t> share_of(std::int64_t n, int s, int p) {
  return {n * s / p, n * (s + 1) / p};
}

/// Groups the records a sink received by key, each key's records in arrival order. Counts the
/// keys that reached more than one sink subtask in `keys_on_several_subtasks`.
template <class T, class KeyFn>
auto by_key(const std::vector<std::vector<T>>& by_subtask, KeyFn key,
            std::size_t& keys_on_several_subtasks) {
  using K = std::decay_t<decltype(key(std::declval<const T&>()))>;
  std::map<K, std::vector<T>> records;
  std::map<K, std::size_t> owner;
  keys_on_several_subtasks = 0;
  for (std::size_t s = 0; s < by_subtask.size(); ++s) {
    for (const auto& r : by_subtask[s]) {
      auto [it, inserted] = owner.emplace(key(r), s);
      if (!inserted && it->second != s && it->second != by_subtask.size()) {
        ++keys_on_several_subtasks;
        it->second = by_subtask.size(); // count each key once
      }
      records[key(r)].push_back(r);
    }
  }
  return records;
}

template <class T>
std::size_t total_size(const std::vector<std::vector<T>>& by_subtask) {
  std::size_t n = 0;
  for (const auto& v : by_subtask)
    n += v.size();
  return n;
}

template <class T>
std::vector<T> flattened_sorted(const std::vector<std::vector<T>>& by_subtask) {
  std::vector<T> all;
  for (const auto& v : by_subtask)
    all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  return all;
}

/// Does the plan have a vertex whose name (its chained operators, " -> " separated) is `name`?
bool has_vertex(const environment& env, const std::string& name) {
  auto plan = env.plan(); // keep the plan alive while its vertices are read
  for (const auto& v : plan->vertices())
    if (v.name == name)
      return true;
  return false;
}

// -- records ----------------------------------------------------------------------------------

/// key, value, tag: min<1>/max<1> aggregate the value; the tag must stay the key's first one.
using tuple_record = std::tuple<std::int64_t, std::int64_t, std::string>;

std::vector<tuple_record> tuple_records(std::size_t n, std::uint64_t seed) {
  test::test_random rnd(seed);
  std::vector<tuple_record> out;
  for (std::size_t i = 0; i < n; ++i) {
    auto key = static_cast<std::int64_t>(rnd.below(13));
    auto value = static_cast<std::int64_t>(rnd.below(2000001)) - 1000000;
    out.emplace_back(key, value, "r" + std::to_string(i));
  }
  return out;
}

/// A user struct made serializable by listing its fields.
struct reading {
  std::string sensor;
  std::int64_t seq = 0;
  std::int64_t count = 0;
  double temperature = 0;
  SLUICE_FIELDS(sensor, seq, count, temperature)
};

bool operator==(const reading& a, const reading& b) {
  return a.sensor == b.sensor && a.seq == b.seq && a.count == b.count &&
         a.temperature == b.temperature;
}

std::vector<reading> readings(std::size_t n, std::uint64_t seed) {
  test::test_random rnd(seed);
  std::vector<reading> out;
  for (std::size_t i = 0; i < n; ++i) {
    reading r;
    r.sensor = "sensor-" + std::to_string(rnd.below(9));
    r.seq = static_cast<std::int64_t>(i);
    r.count = static_cast<std::int64_t>(rnd.below(1000));
    // Hundredths between -100 and 100: min and max compare them, nothing adds them.
    r.temperature = (static_cast<double>(rnd.below(20001)) - 10000.0) / 100.0;
    out.push_back(r);
  }
  return out;
}

// -- process functions ------------------------------------------------------------------------

/// subtask index, parallelism (both as seen in open()), record count, record sum.
using summary = std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t>;

/// Emits nothing per element; at the end of input one summary of what its subtask saw.
class count_and_sum final : public process_function<std::int64_t, summary> {
public:
  explicit count_and_sum(std::shared_ptr<std::atomic<int>> closed) : closed_(std::move(closed)) {}

  void open(const runtime_context& ctx) override {
    subtask_ = ctx.subtask_index;
    parallelism_ = ctx.parallelism;
    opened_ = true;
  }
  void process_element(std::int64_t&& value, context&, collector<summary>&) override {
    if (!opened_)
      throw std::logic_error("process_element before open");
    ++count_;
    sum_ += value;
  }
  void on_end_of_input(collector<summary>& out) override {
    out.collect(summary{subtask_, parallelism_, count_, sum_});
  }
  void close() override { ++*closed_; }

private:
  std::shared_ptr<std::atomic<int>> closed_;
  bool opened_ = false;
  std::int64_t subtask_ = -1;
  std::int64_t parallelism_ = -1;
  std::int64_t count_ = 0;
  std::int64_t sum_ = 0;
};

/// Tags each record with the index of the subtask that processed it.
class tag_with_subtask final
    : public process_function<std::int64_t, std::pair<std::int64_t, std::int64_t>> {
public:
  void open(const runtime_context& ctx) override { subtask_ = ctx.subtask_index; }
  void process_element(std::int64_t&& value, context&,
                       collector<std::pair<std::int64_t, std::int64_t>>& out) override {
    out.collect(std::pair<std::int64_t, std::int64_t>(subtask_, value));
  }

private:
  std::int64_t subtask_ = -1;
};

/// Emits (key, value) with the context's current key.
class tag_with_key final
    : public keyed_process_function<std::string, std::int64_t,
                                    std::pair<std::string, std::int64_t>> {
public:
  void process_element(std::int64_t&& value, context& ctx,
                       collector<std::pair<std::string, std::int64_t>>& out) override {
    out.collect(std::pair<std::string, std::int64_t>(ctx.current_key(), value));
  }
};

std::string key_of(std::int64_t v) { return "k" + std::to_string(v % 17); }

/// Fails on one value.
class throwing_sink final : public copyable_sink<throwing_sink, std::int64_t> {
public:
  void write(std::int64_t&& value) override {
    if (value == 3333)
      throw std::runtime_error("sink rejects 3333");
  }
};

} // namespace

// -- keyed aggregations -----------------------------------------------------------------------

TEST_CASE("keyed min<1> and max<1> on tuples keep the first record's other fields") {
  const auto input = tuple_records(6000, 11);
  for (bool use_min : {true, false}) {
    // Expected rolling outputs per key, in input order.
    std::map<std::int64_t, std::vector<tuple_record>> want;
    std::map<std::int64_t, std::int64_t> best;
    std::map<std::int64_t, std::string> first_tag;
    for (const auto& [k, v, tag] : input) {
      if (!best.count(k)) {
        best[k] = v;
        first_tag[k] = tag;
      } else if (use_min ? v < best[k] : v > best[k]) {
        best[k] = v;
      }
      want[k].emplace_back(k, best[k], first_tag[k]);
    }
    for (int p : {1, 2, 4}) {
      CAPTURE(use_min);
      CAPTURE(p);
      environment env(test_config(p));
      collecting_sink<tuple_record> sink;
      // One source subtask feeds the keyed operator, so each key's records arrive in input order.
      auto keyed = env.from_source(collection_source<tuple_record>{input})
                       .key_by([](const tuple_record& r) { return std::get<0>(r); });
      (use_min ? keyed.min<1>() : keyed.max<1>()).sink_to(sink);
      auto result = env.execute(use_min ? "tuple min" : "tuple max");
      REQUIRE_MESSAGE(result.ok(), result.error());
      auto by_subtask = sink.results_by_subtask();
      CHECK(total_size(by_subtask) == input.size());
      std::size_t split_keys = 0;
      auto got = by_key(by_subtask, [](const tuple_record& r) { return std::get<0>(r); },
                        split_keys);
      CHECK(split_keys == 0);
      REQUIRE(got.size() == want.size());
      for (const auto& [k, records] : want) {
        CAPTURE(k);
        const auto& g = got[k];
        REQUIRE(g.size() == records.size());
        CHECK(g.back() == records.back()); // the final value
        CHECK(g == records);               // and every rolling value before it
      }
    }
  }
}

TEST_CASE("keyed max<1> and min<1> on pairs") {
  using kv = std::pair<std::string, double>;
  test::test_random rnd(5);
  std::vector<kv> input;
  for (int i = 0; i < 4000; ++i)
    input.emplace_back("p" + std::to_string(rnd.below(7)),
                       static_cast<double>(rnd.below(100000)) / 8.0);
  for (bool use_min : {true, false}) {
    std::map<std::string, double> final_value;
    std::map<std::string, std::size_t> count;
    for (const auto& [k, v] : input) {
      auto it = final_value.find(k);
      if (it == final_value.end())
        final_value[k] = v;
      else
        it->second = use_min ? std::min(it->second, v) : std::max(it->second, v);
      ++count[k];
    }
    for (int p : {1, 2, 4}) {
      CAPTURE(use_min);
      CAPTURE(p);
      environment env(test_config(p));
      collecting_sink<kv> sink;
      auto keyed = env.from_source(collection_source<kv>{input})
                       .rebalance()
                       .map([](kv x) { return x; })
                       .key_by([](const kv& x) { return x.first; });
      (use_min ? keyed.min<1>() : keyed.max<1>()).sink_to(sink);
      auto result = env.execute("pair min/max");
      REQUIRE_MESSAGE(result.ok(), result.error());
      auto by_subtask = sink.results_by_subtask();
      CHECK(total_size(by_subtask) == input.size());
      std::size_t split_keys = 0;
      auto got = by_key(by_subtask, [](const kv& x) { return x.first; }, split_keys);
      CHECK(split_keys == 0);
      REQUIRE(got.size() == final_value.size());
      for (const auto& [k, v] : final_value) {
        CAPTURE(k);
        const auto& g = got[k];
        CHECK(g.size() == count[k]);
        REQUIRE_FALSE(g.empty());
        // Arrival order from several upstream subtasks varies, but min/max is monotone per key.
        CHECK(g.back().second == v);
        for (std::size_t i = 1; i < g.size(); ++i)
          CHECK((use_min ? g[i].second <= g[i - 1].second : g[i].second >= g[i - 1].second));
      }
    }
  }
}

TEST_CASE("keyed sum/min/max of the fields of a SLUICE_FIELDS struct") {
  const auto input = readings(5000, 23);
  enum class agg { sum_count, min_temperature, max_temperature };
  for (agg a : {agg::sum_count, agg::min_temperature, agg::max_temperature}) {
    // Expected: the first record of the key, with only the aggregated field rolling.
    std::map<std::string, std::vector<reading>> want;
    std::map<std::string, reading> first;
    std::map<std::string, std::int64_t> count_sum;
    std::map<std::string, double> temperature;
    for (const auto& r : input) {
      bool is_first = !first.count(r.sensor);
      if (is_first) {
        first[r.sensor] = r;
        temperature[r.sensor] = r.temperature;
      }
      count_sum[r.sensor] += r.count;
      if (a == agg::min_temperature && r.temperature < temperature[r.sensor])
        temperature[r.sensor] = r.temperature;
      if (a == agg::max_temperature && r.temperature > temperature[r.sensor])
        temperature[r.sensor] = r.temperature;
      reading e = first[r.sensor];
      if (a == agg::sum_count)
        e.count = count_sum[r.sensor];
      else
        e.temperature = temperature[r.sensor];
      want[r.sensor].push_back(e);
    }
    for (int p : {1, 2, 4}) {
      CAPTURE(static_cast<int>(a));
      CAPTURE(p);
      environment env(test_config(p));
      collecting_sink<reading> sink;
      auto keyed = env.from_source(collection_source<reading>{input})
                       .key_by([](const reading& r) { return r.sensor; });
      switch (a) {
      case agg::sum_count:
        keyed.sum(&reading::count).sink_to(sink);
        break;
      case agg::min_temperature:
        keyed.min(&reading::temperature).sink_to(sink);
        break;
      case agg::max_temperature:
        keyed.max(&reading::temperature).sink_to(sink);
        break;
      }
      auto result = env.execute("struct aggregation");
      REQUIRE_MESSAGE(result.ok(), result.error());
      auto by_subtask = sink.results_by_subtask();
      CHECK(total_size(by_subtask) == input.size());
      std::size_t split_keys = 0;
      auto got = by_key(by_subtask, [](const reading& r) { return r.sensor; }, split_keys);
      CHECK(split_keys == 0);
      REQUIRE(got.size() == want.size());
      for (const auto& [sensor, records] : want) {
        CAPTURE(sensor);
        const auto& g = got[sensor];
        REQUIRE(g.size() == records.size());
        CHECK(g.back() == records.back());
        CHECK(g == records);
      }
    }
  }
}

// -- process functions ------------------------------------------------------------------------

TEST_CASE("process(): open() gets subtask and parallelism and on_end_of_input emits per subtask") {
  const std::int64_t n = 10007;
  for (int p : {1, 2, 4}) {
    CAPTURE(p);
    {
      // Chained to a parallel source: each subtask summarizes exactly its share.
      environment env(test_config(p));
      collecting_sink<summary> sink;
      auto closed = std::make_shared<std::atomic<int>>(0);
      env.from_source(sequence_source{1, n}).process(count_and_sum{closed}).sink_to(sink);
      auto result = env.execute("process summaries");
      REQUIRE_MESSAGE(result.ok(), result.error());
      CHECK(closed->load() == p);
      auto by_subtask = sink.results_by_subtask();
      REQUIRE(by_subtask.size() == static_cast<std::size_t>(p));
      std::int64_t count = 0, sum = 0;
      for (int s = 0; s < p; ++s) {
        CAPTURE(s);
        // The sink is chained to the process function: subtask s's summary reaches sink s.
        REQUIRE(by_subtask[static_cast<std::size_t>(s)].size() == 1);
        const auto& [subtask, parallelism, c, total] = by_subtask[static_cast<std::size_t>(s)][0];
        CHECK(subtask == s);
        CHECK(parallelism == p);
        auto [first, last] = share_of(n, s, p);
        CHECK(c == last - first);
        std::int64_t want_sum = 0;
        for (std::int64_t i = first; i < last; ++i)
          want_sum += i + 1; // index i is value i + 1
        CHECK(total == want_sum);
        count += c;
        sum += total;
      }
      CHECK(count == n);
      CHECK(sum == n * (n + 1) / 2);
    }
    {
      // After a rebalance from a non-parallel source: one summary per subtask; the totals add up.
      std::vector<std::int64_t> values;
      test::test_random rnd(99);
      std::int64_t want_sum = 0;
      for (std::int64_t i = 0; i < n; ++i) {
        values.push_back(static_cast<std::int64_t>(rnd.below(1000000)));
        want_sum += values.back();
      }
      environment env(test_config(p));
      collecting_sink<summary> sink;
      auto closed = std::make_shared<std::atomic<int>>(0);
      env.from_source(collection_source<std::int64_t>{values})
          .rebalance()
          .process(count_and_sum{closed}, "count and sum")
          .sink_to(sink);
      auto result = env.execute("process totals");
      REQUIRE_MESSAGE(result.ok(), result.error());
      CHECK(closed->load() == p);
      auto all = flattened_sorted(sink.results_by_subtask());
      REQUIRE(all.size() == static_cast<std::size_t>(p));
      std::int64_t count = 0, sum = 0;
      for (int s = 0; s < p; ++s) {
        CHECK(std::get<0>(all[static_cast<std::size_t>(s)]) == s); // one summary per subtask
        CHECK(std::get<1>(all[static_cast<std::size_t>(s)]) == p);
        count += std::get<2>(all[static_cast<std::size_t>(s)]);
        sum += std::get<3>(all[static_cast<std::size_t>(s)]);
      }
      CHECK(count == n);
      CHECK(sum == want_sum);
    }
  }
}

TEST_CASE("keyed process(): the current key is right and each key ends at one subtask") {
  const std::int64_t n = 12000;
  for (int p : {1, 2, 4}) {
    CAPTURE(p);
    environment env(test_config(p));
    collecting_sink<std::pair<std::string, std::int64_t>> sink;
    env.from_source(sequence_source{1, n})
        .key_by([](std::int64_t v) { return key_of(v); })
        .process(tag_with_key{}, "keyed tagger")
        .sink_to(sink, "tagged");
    REQUIRE(has_vertex(env, "keyed tagger -> Sink: tagged")); // the sink is chained
    auto result = env.execute("keyed process");
    REQUIRE_MESSAGE(result.ok(), result.error());
    auto by_subtask = sink.results_by_subtask();
    std::size_t wrong_keys = 0;
    for (const auto& records : by_subtask)
      for (const auto& [k, v] : records)
        wrong_keys += k != key_of(v);
    CHECK(wrong_keys == 0);
    std::size_t split_keys = 0;
    auto got = by_key(
        by_subtask, [](const std::pair<std::string, std::int64_t>& r) { return r.first; },
        split_keys);
    CHECK(split_keys == 0);
    CHECK(got.size() == 17);
    std::vector<std::int64_t> values;
    for (const auto& records : by_subtask)
      for (const auto& r : records)
        values.push_back(r.second);
    std::sort(values.begin(), values.end());
    REQUIRE(values.size() == static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i)
      CHECK(values[static_cast<std::size_t>(i)] == i + 1);
  }
}

// -- partitioning and naming ------------------------------------------------------------------

TEST_CASE("forward() to an unchained operator keeps source subtask i's records in subtask i") {
  const std::int64_t n = 9001;
  for (int p : {1, 2, 4}) {
    CAPTURE(p);
    environment env(test_config(p));
    collecting_sink<std::pair<std::int64_t, std::int64_t>> sink;
    env.from_source(sequence_source{0, n - 1}, "numbers")
        .forward()
        .process(tag_with_subtask{}, "tagger")
        .disable_chaining()
        .sink_to(sink, "tagged");
    // Three vertices: nothing chained to or after the tagger, so both edges cross the network.
    auto plan = env.plan();
    REQUIRE(plan->vertices().size() == 3);
    CHECK(has_vertex(env, "tagger"));
    REQUIRE(plan->edges().size() == 2);
    for (const auto& e : plan->edges())
      CHECK(e.kind == partition_kind::forward);
    auto result = env.execute("forward");
    REQUIRE_MESSAGE(result.ok(), result.error());
    auto by_subtask = sink.results_by_subtask();
    REQUIRE(by_subtask.size() == static_cast<std::size_t>(p));
    for (int s = 0; s < p; ++s) {
      CAPTURE(s);
      auto [first, last] = share_of(n, s, p);
      std::vector<std::pair<std::int64_t, std::int64_t>> want;
      for (std::int64_t v = first; v < last; ++v)
        want.emplace_back(s, v);
      // Exactly source subtask s's share, processed by tagger s, in order (one channel).
      CHECK(by_subtask[static_cast<std::size_t>(s)] == want);
    }
  }
}

TEST_CASE("name() renames an operator and a sink in failure messages") {
  for (int p : {1, 2, 4}) {
    for (bool chaining : {true, false}) {
      CAPTURE(p);
      CAPTURE(chaining);
      {
        auto cfg = test_config(p);
        cfg.chaining = chaining;
        environment env(cfg);
        collecting_sink<std::int64_t> sink;
        env.from_source(sequence_source{1, 5000})
            .map([](std::int64_t v) {
              if (v == 4321)
                throw std::runtime_error("bad record 4321");
              return v;
            })
            .name("custom name")
            .sink_to(sink);
        auto result = env.execute("renamed operator");
        REQUIRE_FALSE(result.ok());
        CHECK(result.error().find("custom name") != std::string::npos);
        CHECK(result.error().find("bad record 4321") != std::string::npos);
        CHECK(result.error().find("operator 'map'") == std::string::npos);
      }
      {
        auto cfg = test_config(p);
        cfg.chaining = chaining;
        environment env(cfg);
        env.from_source(sequence_source{1, 5000}).sink_to(throwing_sink{}).name("custom sink");
        auto result = env.execute("renamed sink");
        REQUIRE_FALSE(result.ok());
        CHECK(result.error().find("custom sink") != std::string::npos);
        CHECK(result.error().find("sink rejects 3333") != std::string::npos);
      }
    }
  }
}

// -- configuration ----------------------------------------------------------------------------

TEST_CASE("a finite source rate still delivers every record exactly once") {
  for (int p : {1, 2, 4}) {
    CAPTURE(p);
    {
      // A parallel source, throttled to ~0.1 s of input.
      const std::int64_t n = 2000;
      auto cfg = test_config(p);
      cfg.source_rate = 20000;
      environment env(cfg);
      collecting_sink<std::int64_t> sink;
      env.from_source(sequence_source{1, n}).map([](std::int64_t v) { return v; }).sink_to(sink);
      auto result = env.execute("throttled sequence");
      REQUIRE_MESSAGE(result.ok(), result.error());
      auto all = flattened_sorted(sink.results_by_subtask());
      REQUIRE(all.size() == static_cast<std::size_t>(n));
      for (std::int64_t i = 0; i < n; ++i)
        CHECK(all[static_cast<std::size_t>(i)] == i + 1);
    }
    {
      // A non-parallel source (the rate is all its own) feeding a keyed rolling sum: one
      // output per input, and the last output of each key is the key's total.
      std::vector<std::int64_t> values;
      std::map<std::int64_t, std::int64_t> want_total;
      for (std::int64_t i = 0; i < 1000; ++i) {
        values.push_back(i * 7 % 1000);
        want_total[values.back() % 10] += values.back();
      }
      auto cfg = test_config(p);
      cfg.source_rate = 10000;
      environment env(cfg);
      collecting_sink<std::pair<std::int64_t, std::int64_t>> sink;
      env.from_source(collection_source<std::int64_t>{values})
          .map([](std::int64_t v) { return std::pair<std::int64_t, std::int64_t>(v % 10, v); })
          .key_by([](const std::pair<std::int64_t, std::int64_t>& x) { return x.first; })
          .sum<1>()
          .sink_to(sink);
      auto result = env.execute("throttled collection");
      REQUIRE_MESSAGE(result.ok(), result.error());
      auto by_subtask = sink.results_by_subtask();
      CHECK(total_size(by_subtask) == values.size());
      std::size_t split_keys = 0;
      auto got = by_key(by_subtask,
                        [](const std::pair<std::int64_t, std::int64_t>& x) { return x.first; },
                        split_keys);
      CHECK(split_keys == 0);
      REQUIRE(got.size() == want_total.size());
      for (const auto& [k, total] : want_total) {
        CAPTURE(k);
        CHECK(got[k].size() == 100);
        CHECK(got[k].back().second == total);
      }
    }
    {
      // Less than one record per second per subtask: each subtask's first record is due at
      // once, and each subtask has exactly one.
      auto cfg = test_config(p);
      cfg.source_rate = 1;
      environment env(cfg);
      collecting_sink<std::int64_t> sink;
      env.from_source(sequence_source{1, p}).sink_to(sink);
      auto result = env.execute("slow rate");
      REQUIRE_MESSAGE(result.ok(), result.error());
      auto all = flattened_sorted(sink.results_by_subtask());
      REQUIRE(all.size() == static_cast<std::size_t>(p));
      for (int i = 0; i < p; ++i)
        CHECK(all[static_cast<std::size_t>(i)] == i + 1);
    }
  }
}

TEST_CASE("buffer timeout and batch size do not change the results") {
  // A keyed rolling sum fed by one source subtask (deterministic per key), united with a
  // filtered parallel source and rebalanced: the result multiset is fixed, whatever the order.
  std::vector<std::int64_t> values;
  test::test_random rnd(3);
  for (int i = 0; i < 5000; ++i)
    values.push_back(static_cast<std::int64_t>(rnd.below(100000)));
  std::vector<std::int64_t> want;
  {
    std::map<std::int64_t, std::int64_t> sums;
    for (auto v : values)
      want.push_back(2 * (sums[v % 11] += v));
    for (std::int64_t v = 1; v <= 3000; ++v)
      if (v % 3 == 0)
        want.push_back(2 * -v);
    std::sort(want.begin(), want.end());
  }
  const job_config defaults;
  for (int p : {1, 2, 4}) {
    for (std::int64_t timeout : {std::int64_t{0}, std::int64_t{1}, defaults.buffer_timeout_ms}) {
      for (std::size_t batch : {std::size_t{64}, std::size_t{32768}}) {
        CAPTURE(p);
        CAPTURE(timeout);
        CAPTURE(batch);
        auto cfg = test_config(p, batch);
        cfg.buffer_timeout_ms = timeout;
        environment env(cfg);
        collecting_sink<std::int64_t> sink;
        auto sums = env.from_source(collection_source<std::int64_t>{values}, "values")
                        .key_by([](std::int64_t v) { return v % 11; })
                        .sum();
        auto negatives = env.from_source(sequence_source{1, 3000}, "numbers")
                             .filter([](std::int64_t v) { return v % 3 == 0; })
                             .map([](std::int64_t v) { return -v; });
        sums.union_with(negatives)
            .rebalance()
            .map([](std::int64_t v) { return 2 * v; })
            .sink_to(sink);
        auto result = env.execute("settings");
        REQUIRE_MESSAGE(result.ok(), result.error());
        CHECK(flattened_sorted(sink.results_by_subtask()) == want);
      }
    }
  }
}
