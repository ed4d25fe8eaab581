// Real jobs on the embedded local cluster at parallelism 1, 2 and 4, checked against results
// computed here without the engine.

#include "job_test_util.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <thread>
#include <utility>

using namespace sluice;
using sluice::test::test_config;

namespace {

using word_count_t = std::pair<std::string, std::int64_t>;

std::map<std::string, std::int64_t> count_words_by_hand(const std::vector<std::string>& lines) {
  std::map<std::string, std::int64_t> counts;
  for (const auto& line : lines) {
    std::string w;
    for (char c : line + " ") {
      if (std::isalpha(static_cast<unsigned char>(c))) {
        w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      } else if (!w.empty()) {
        ++counts[w];
        w.clear();
      }
    }
  }
  return counts;
}

/// Rolling counts are right when each word's emitted counts are exactly 1..n, once each.
void check_rolling_counts(const std::vector<word_count_t>& emitted,
                          const std::map<std::string, std::int64_t>& expected) {
  std::map<std::string, std::vector<std::int64_t>> seen;
  for (const auto& [w, c] : emitted)
    seen[w].push_back(c);
  REQUIRE(seen.size() == expected.size());
  for (const auto& [word, n] : expected) {
    auto counts = seen[word];
    std::sort(counts.begin(), counts.end());
    std::vector<std::int64_t> want(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i)
      want[static_cast<std::size_t>(i)] = i + 1;
    CHECK_MESSAGE(counts == want, "word " << word);
  }
}

} // namespace

TEST_CASE("word count over generated text") {
  auto lines = test::generated_text(3000, 7);
  auto expected = count_words_by_hand(lines);
  for (int p : {1, 2, 4}) {
    for (bool chaining : {true, false}) {
      CAPTURE(p);
      CAPTURE(chaining);
      auto cfg = test_config(p);
      cfg.chaining = chaining;
      environment env(cfg);
      collecting_sink<word_count_t> sink;
      env.from_source(collection_source<std::string>{lines})
          .rebalance()
          .flat_map([](std::string line, collector<std::string>& out) {
            std::string w;
            for (char c : line + " ") {
              if (std::isalpha(static_cast<unsigned char>(c))) {
                w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
              } else if (!w.empty()) {
                out.collect(std::move(w));
                w.clear();
              }
            }
          })
          .map([](std::string w) { return word_count_t{std::move(w), 1}; })
          .key_by([](const word_count_t& wc) { return wc.first; })
          .sum<1>()
          .sink_to(sink);
      auto result = env.execute("word count test");
      REQUIRE_MESSAGE(result.ok(), result.error());
      check_rolling_counts(sink.results(), expected);
    }
  }
}

TEST_CASE("map -> filter -> key_by -> reduce") {
  using kv = std::pair<std::int64_t, std::int64_t>;
  const std::int64_t n = 20000;
  std::map<std::int64_t, std::int64_t> expected_sum;
  std::size_t expected_records = 0;
  for (std::int64_t i = 1; i <= n; ++i) {
    if ((i * 3) % 2 == 0) {
      expected_sum[i % 7] += i * 3;
      ++expected_records;
    }
  }
  for (int p : {1, 2, 4}) {
    CAPTURE(p);
    environment env(test_config(p));
    collecting_sink<kv> sink;
    env.from_source(sequence_source{1, n})
        .map([](std::int64_t v) { return kv{v % 7, v * 3}; })
        .filter([](const kv& x) { return x.second % 2 == 0; })
        .key_by([](const kv& x) { return x.first; })
        .reduce([](kv acc, const kv& x) { return kv{acc.first, acc.second + x.second}; })
        .sink_to(sink);
    auto result = env.execute("pipeline");
    REQUIRE_MESSAGE(result.ok(), result.error());
    auto out = sink.results();
    CHECK(out.size() == expected_records);
    // Sums only grow and every intermediate sum is emitted: the largest per key is the final.
    std::map<std::int64_t, std::int64_t> final_sum;
    for (const auto& [k, s] : out)
      final_sum[k] = std::max(final_sum[k], s);
    CHECK(final_sum == expected_sum);
  }
}

TEST_CASE("union of two sources delivers every record of both once") {
  for (int p : {1, 2, 4}) {
    CAPTURE(p);
    environment env(test_config(p));
    collecting_sink<std::int64_t> sink;
    auto a = env.from_source(sequence_source{0, 999}, "a");
    auto b = env.from_source(sequence_source{1000, 2499}, "b");
    a.union_with(b).map([](std::int64_t v) { return v + 1; }).sink_to(sink);
    auto result = env.execute("union");
    REQUIRE_MESSAGE(result.ok(), result.error());
    auto out = sink.results();
    std::sort(out.begin(), out.end());
    std::vector<std::int64_t> want;
    for (std::int64_t v = 1; v <= 2500; ++v)
      want.push_back(v);
    CHECK(out == want);
  }
}

TEST_CASE("rebalance spreads a non-parallel source evenly over the subtasks") {
  const int n = 4000;
  std::vector<std::int64_t> items;
  for (int i = 0; i < n; ++i)
    items.push_back(i);
  for (int p : {1, 2, 4}) {
    CAPTURE(p);
    environment env(test_config(p));
    collecting_sink<std::int64_t> sink;
    env.from_source(collection_source<std::int64_t>{items})
        .rebalance()
        .map([](std::int64_t v) { return v; })
        .sink_to(sink);
    auto result = env.execute("rebalance");
    REQUIRE_MESSAGE(result.ok(), result.error());
    auto by_subtask = sink.results_by_subtask();
    REQUIRE(by_subtask.size() == static_cast<std::size_t>(p));
    std::vector<std::int64_t> all;
    for (int s = 0; s < p; ++s) {
      // Round robin from the one source subtask: subtask s gets exactly the i with i % p == s.
      auto got = by_subtask[static_cast<std::size_t>(s)];
      CHECK(got.size() == static_cast<std::size_t>(n / p));
      for (auto v : got)
        CHECK(v % p == s);
      all.insert(all.end(), got.begin(), got.end());
    }
    std::sort(all.begin(), all.end());
    CHECK(all == items);
  }
}

TEST_CASE("broadcast gives every subtask every record") {
  const std::int64_t n = 1500;
  for (int p : {1, 2, 4}) {
    CAPTURE(p);
    environment env(test_config(p));
    collecting_sink<std::int64_t> sink;
    env.from_source(sequence_source{1, n}).set_parallelism(1)
        .broadcast()
        .map([](std::int64_t v) { return v; })
        .sink_to(sink);
    auto result = env.execute("broadcast");
    REQUIRE_MESSAGE(result.ok(), result.error());
    for (const auto& got : sink.results_by_subtask()) {
      auto sorted = got;
      std::sort(sorted.begin(), sorted.end());
      REQUIRE(sorted.size() == static_cast<std::size_t>(n));
      for (std::int64_t i = 0; i < n; ++i)
        CHECK(sorted[static_cast<std::size_t>(i)] == i + 1);
    }
  }
}

TEST_CASE("rescale and custom partitioning route as asked") {
  environment env(test_config(2));
  collecting_sink<std::int64_t> sink;
  auto src = env.from_source(sequence_source{0, 3999});
  auto wide = src.rescale().map([](std::int64_t v) { return v; }, "wide");
  wide.set_parallelism(4);
  auto narrow = wide.partition_custom([](std::int64_t key, int n) { return static_cast<int>(key % n); },
                                      [](std::int64_t v) { return v; })
                    .map([](std::int64_t v) { return v; }, "narrow");
  narrow.set_parallelism(3);
  narrow.sink_to(sink).set_parallelism(3);
  auto result = env.execute("rescale");
  REQUIRE_MESSAGE(result.ok(), result.error());
  auto by_subtask = sink.results_by_subtask();
  REQUIRE(by_subtask.size() == 3);
  std::size_t total = 0;
  for (int s = 0; s < 3; ++s) {
    for (auto v : by_subtask[static_cast<std::size_t>(s)])
      CHECK(v % 3 == s);
    total += by_subtask[static_cast<std::size_t>(s)].size();
  }
  CHECK(total == 4000);
}

TEST_CASE("tiny batches and flushing every record give the same results") {
  for (std::int64_t timeout : {0, 1}) {
    CAPTURE(timeout);
    auto cfg = test_config(2, 64);
    cfg.buffer_timeout_ms = timeout;
    environment env(cfg);
    collecting_sink<std::int64_t> sink;
    env.from_source(sequence_source{1, 3000})
        .key_by([](std::int64_t v) { return v % 5; })
        .sum()
        .sink_to(sink);
    auto result = env.execute("tiny");
    REQUIRE_MESSAGE(result.ok(), result.error());
    auto out = sink.results();
    CHECK(out.size() == 3000);
    CHECK(*std::max_element(out.begin(), out.end()) == (5 + 3000) * 600 / 2 /* 5 + 10 + ... + 3000 */);
  }
}

TEST_CASE("a job started on one thread is waited for on another") {
  const std::int64_t n = 5000;
  for (int p : {1, 2}) {
    CAPTURE(p);
    environment env(test_config(p));
    collecting_sink<std::int64_t> sink;
    env.from_source(sequence_source{1, n}).map([](std::int64_t v) { return 2 * v; }).sink_to(sink);
    auto client = env.execute_async("waited elsewhere");
    job_result result;
    std::thread waiter([&] { result = client->wait(); });
    waiter.join();
    REQUIRE_MESSAGE(result.ok(), result.error());
    auto out = sink.results();
    std::sort(out.begin(), out.end());
    std::vector<std::int64_t> expected;
    for (std::int64_t v = 1; v <= n; ++v)
      expected.push_back(2 * v);
    CHECK(out == expected);
  }
}
