#pragma once
// What the query tests share: the test events, running a query at a parallelism or its
// baseline, and comparing with the lines computed by a test.

#include "baselines.hpp"
#include "generator.hpp"
#include "job.hpp"
#include "queries.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace nexmark::test {

using lines = std::vector<std::string>;

constexpr std::int64_t test_event_count = 20000;

/// 20,000 events at 200 events/s of event time: 100 s, so ten 10 s windows and sessions.
inline generator_config test_generator() {
  generator_config config;
  config.seed = 11;
  config.first_event_rate = 200;
  return config;
}

inline const std::vector<event>& test_events() {
  static const std::vector<event> events = [] {
    std::vector<event> all;
    for (std::int64_t id = 0; id < test_event_count; ++id)
      all.push_back(generate_event(test_generator(), id));
    return all;
  }();
  return events;
}

inline std::vector<bid> test_bids() {
  std::vector<bid> bids;
  for (const auto& e : test_events())
    if (e.is_bid())
      bids.push_back(e.new_bid);
  return bids;
}

inline std::string join(const std::vector<std::string>& fields) {
  std::string s;
  for (const auto& f : fields)
    s += (s.empty() ? "" : ",") + f;
  return s;
}

template <class... Ts> std::string line_of(const Ts&... values) {
  std::ostringstream out;
  ((out << values << ','), ...);
  auto s = out.str();
  s.pop_back();
  return s;
}

/// The query's lines at `parallelism`, in the order the (single) sink received them.
inline lines run_query(const std::string& query, int parallelism) {
  sluice::job_config config;
  config.parallelism = parallelism;
  config.batch_bytes = 4096;
  sluice::environment env(config);
  event_input input;
  input.file_events = std::make_shared<const std::vector<event>>(test_events());
  sluice::collecting_sink<row> sink;
  build_query(query, event_stream(env, input)).sink_to(sink).set_parallelism(1);
  const auto result = env.execute("test " + query);
  REQUIRE_MESSAGE(result.ok(), result.error());
  lines out;
  for (auto& r : sink.results())
    out.push_back(r.line);
  return out;
}

inline lines sorted(lines l) {
  std::sort(l.begin(), l.end());
  return l;
}

/// The lines of the query's single-threaded baseline (baselines.hpp) over the test events.
inline lines run_baseline_of(const std::string& query) {
  lines out;
  REQUIRE(run_baseline(query, test_generator(), test_event_count,
                       [&](std::string&& line) { out.push_back(std::move(line)); }));
  return out;
}

/// The query at parallelism 1, 2 and 4, and its baseline, give `expected` (in any order).
inline void check_query(const std::string& query, const lines& expected) {
  REQUIRE(!expected.empty());
  CHECK(sorted(run_baseline_of(query)) == sorted(expected));
  for (int p : {1, 2, 4}) {
    CAPTURE(p);
    const auto got = sorted(run_query(query, p));
    const auto want = sorted(expected);
    lines missing, extra;
    std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                        std::back_inserter(missing));
    std::set_difference(got.begin(), got.end(), want.begin(), want.end(),
                        std::back_inserter(extra));
    CHECK(got.size() == want.size());
    CHECK_MESSAGE(missing.empty(), "missing: " << (missing.empty() ? "" : missing.front()));
    CHECK_MESSAGE(extra.empty(), "unexpected: " << (extra.empty() ? "" : extra.front()));
  }
}

inline std::string euro_text(long long price) {
  char text[32];
  std::snprintf(text, sizeof text, "%lld.%03lld", price * 908 / 1000, price * 908 % 1000);
  return text;
}

inline std::int64_t floor_to(std::int64_t t, std::int64_t size) { return t / size * size; }

/// For an updating query: the last line of each key (key_of(line)) at parallelism 1, 2, 4 and
/// of the baseline equals `expected` (key -> line).
template <class KeyOf>
inline void check_last_lines(const std::string& query,
                             const std::map<std::string, std::string>& expected, KeyOf key_of) {
  REQUIRE(!expected.empty());
  for (int p : {0, 1, 2, 4}) {
    CAPTURE(p); // 0: the baseline
    std::map<std::string, std::string> last;
    for (const auto& line : p == 0 ? run_baseline_of(query) : run_query(query, p))
      last[key_of(line)] = line;
    CHECK(last.size() == expected.size());
    CHECK(last == expected);
  }
}

/// The first `n` comma-separated fields of a line.
inline std::string fields(const std::string& line, int n) {
  std::size_t at = 0;
  for (int i = 0; i < n; ++i)
    at = line.find(',', at) + 1;
  return line.substr(0, at - 1);
}

inline std::string utc_day(std::int64_t ms) {
  const std::time_t seconds = ms / 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char day[48];
  std::snprintf(day, sizeof day, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return day;
}

} // namespace nexmark::test
