// Every query at parallelism 1, 2 and 4, and its single-threaded baseline, against an
// implementation written here: plain loops over the whole list of generated events (a batch
// computation of the query's definition), so nothing is shared with the streaming code but the
// event types.

#include "baselines.hpp"
#include "generator.hpp"
#include "job.hpp"
#include "queries.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <iterator>
#include <cstdio>
#include <ctime>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

using namespace nexmark;

namespace {

using lines = std::vector<std::string>;

constexpr std::int64_t test_event_count = 20000;

/// 20,000 events at 200 events/s of event time: 100 s, so ten 10 s windows and sessions.
generator_config test_generator() {
  generator_config config;
  config.seed = 11;
  config.first_event_rate = 200;
  return config;
}

const std::vector<event>& test_events() {
  static const std::vector<event> events = [] {
    std::vector<event> all;
    for (std::int64_t id = 0; id < test_event_count; ++id)
      all.push_back(generate_event(test_generator(), id));
    return all;
  }();
  return events;
}

std::vector<bid> test_bids() {
  std::vector<bid> bids;
  for (const auto& e : test_events())
    if (e.is_bid())
      bids.push_back(e.new_bid);
  return bids;
}

std::string join(const std::vector<std::string>& fields) {
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
lines run_query(const std::string& query, int parallelism) {
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

lines sorted(lines l) {
  std::sort(l.begin(), l.end());
  return l;
}

/// The lines of the query's single-threaded baseline (baselines.hpp) over the test events.
lines run_baseline_of(const std::string& query) {
  lines out;
  REQUIRE(run_baseline(query, test_generator(), test_event_count,
                       [&](std::string&& line) { out.push_back(std::move(line)); }));
  return out;
}

/// The query at parallelism 1, 2 and 4, and its baseline, give `expected` (in any order).
void check_query(const std::string& query, const lines& expected) {
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

std::string euro_text(long long price) {
  char text[32];
  std::snprintf(text, sizeof text, "%lld.%03lld", price * 908 / 1000, price * 908 % 1000);
  return text;
}

std::int64_t floor_to(std::int64_t t, std::int64_t size) { return t / size * size; }

} // namespace

TEST_CASE("q0: every bid") {
  lines want;
  for (const auto& b : test_bids())
    want.push_back(line_of(b.auction, b.bidder, b.price, b.date_time));
  check_query("q0", want);
}

TEST_CASE("q1: prices in euros with three decimals") {
  lines want;
  for (const auto& b : test_bids())
    want.push_back(line_of(b.auction, b.bidder, euro_text(b.price), b.date_time));
  CHECK(euro_text(1001) == "908.908");
  CHECK(euro_text(100) == "90.800");
  check_query("q1", want);
}

TEST_CASE("q2: bids of auctions divisible by 123") {
  lines want;
  for (const auto& b : test_bids())
    if (b.auction % 123 == 0)
      want.push_back(line_of(b.auction, b.price));
  check_query("q2", want);
}

TEST_CASE("q3: auctions of category 10 with their sellers in OR, ID, CA") {
  std::map<std::int64_t, person> persons;
  for (const auto& e : test_events())
    if (e.is_person())
      persons[e.new_person.id] = e.new_person;
  lines want;
  for (const auto& e : test_events()) {
    if (!e.is_auction() || e.new_auction.category != 10)
      continue;
    const auto p = persons.find(e.new_auction.seller);
    if (p == persons.end())
      continue;
    const auto& s = p->second.state;
    if (s == "OR" || s == "ID" || s == "CA")
      want.push_back(line_of(p->second.name, p->second.city, s, e.new_auction.id));
  }
  check_query("q3", want);
}

/// Per auction, its valid bids: auction.date_time <= bid.date_time <= expires.
std::vector<std::pair<auction, std::vector<bid>>> auctions_with_valid_bids() {
  std::vector<std::pair<auction, std::vector<bid>>> out;
  const auto bids = test_bids();
  for (const auto& e : test_events()) {
    if (!e.is_auction())
      continue;
    const auto& a = e.new_auction;
    std::vector<bid> valid;
    for (const auto& b : bids)
      if (b.auction == a.id && b.date_time >= a.date_time && b.date_time <= a.expires)
        valid.push_back(b);
    if (!valid.empty())
      out.emplace_back(a, valid);
  }
  return out;
}

TEST_CASE("q4: average winning price per category, the last line of each category") {
  std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>> totals;
  for (const auto& [a, valid] : auctions_with_valid_bids()) {
    std::int64_t best = 0;
    for (const auto& b : valid)
      best = std::max(best, b.price);
    totals[a.category].first += best;
    totals[a.category].second += 1;
  }
  REQUIRE(totals.size() == 5);
  for (int p : {0, 1, 2, 4}) {
    CAPTURE(p); // 0: the baseline
    std::map<std::string, std::string> last;
    for (const auto& line : p == 0 ? run_baseline_of("q4") : run_query("q4", p)) {
      const auto comma = line.find(',');
      last[line.substr(0, comma)] = line.substr(comma + 1);
    }
    CHECK(last.size() == totals.size());
    for (const auto& [category, t] : totals)
      CHECK(last[std::to_string(category)] == std::to_string(t.first / t.second));
  }
}

TEST_CASE("q5: the auctions with the most bids in each sliding window of 10 s every 2 s") {
  std::map<std::int64_t, std::map<std::int64_t, std::int64_t>> counts; // start -> auction -> n
  for (const auto& b : test_bids())
    for (std::int64_t start = floor_to(b.date_time, 2000) - 8000; start <= b.date_time;
         start += 2000)
      if (b.date_time < start + 10000)
        ++counts[start][b.auction];
  lines want;
  for (const auto& [start, per_auction] : counts) {
    std::int64_t most = 0;
    for (const auto& [auction, n] : per_auction)
      most = std::max(most, n);
    for (const auto& [auction, n] : per_auction)
      if (n == most)
        want.push_back(line_of(start, start + 10000, auction, n));
  }
  check_query("q5", want);
}

TEST_CASE("q7: the bids at the highest price of their 10 s window") {
  std::map<std::int64_t, std::int64_t> highest;
  for (const auto& b : test_bids()) {
    auto& h = highest[floor_to(b.date_time, 10000)];
    h = std::max(h, b.price);
  }
  lines want;
  for (const auto& b : test_bids())
    if (b.price == highest[floor_to(b.date_time, 10000)])
      want.push_back(line_of(b.auction, b.price, b.bidder, b.date_time));
  check_query("q7", want);
}

TEST_CASE("q8: persons who opened an auction in the 10 s window they were created in") {
  std::set<std::pair<std::int64_t, std::int64_t>> sellers; // seller, window start
  for (const auto& e : test_events())
    if (e.is_auction())
      sellers.insert({e.new_auction.seller, floor_to(e.new_auction.date_time, 10000)});
  lines want;
  for (const auto& e : test_events()) {
    if (!e.is_person())
      continue;
    const auto start = floor_to(e.new_person.date_time, 10000);
    if (sellers.count({e.new_person.id, start}))
      want.push_back(line_of(e.new_person.id, e.new_person.name, start));
  }
  check_query("q8", want);
}

TEST_CASE("q9: the winning bid of every auction") {
  lines want;
  for (const auto& [a, valid] : auctions_with_valid_bids()) {
    auto best = valid.front();
    for (const auto& b : valid)
      if (b.price > best.price || (b.price == best.price && b.date_time < best.date_time) ||
          (b.price == best.price && b.date_time == best.date_time && b.bidder < best.bidder))
        best = b;
    want.push_back(line_of(a.id, a.seller, a.category, a.initial_bid, a.reserve, a.date_time,
                           a.expires, best.bidder, best.price, best.date_time));
  }
  check_query("q9", want);
}

TEST_CASE("q11: bids per bidder session with a 10 s gap") {
  std::map<std::int64_t, std::vector<std::int64_t>> times;
  for (const auto& b : test_bids())
    times[b.bidder].push_back(b.date_time);
  lines want;
  for (auto& [bidder, ts] : times) {
    std::sort(ts.begin(), ts.end());
    std::size_t first = 0;
    for (std::size_t i = 1; i <= ts.size(); ++i) {
      // Flink's session windows [t, t + gap) merge when they touch: a gap of exactly 10 s joins.
      if (i < ts.size() && ts[i] <= ts[i - 1] + 10000)
        continue;
      want.push_back(line_of(bidder, i - first, ts[first], ts[i - 1] + 10000));
      first = i;
    }
  }
  check_query("q11", want);
}

TEST_CASE("q14: bids between 1e6 and 5e7 euros, with the time of day and the c's of extra") {
  lines want;
  for (const auto& b : test_bids()) {
    const double euros = 0.908 * static_cast<double>(b.price);
    if (!(euros > 1e6 && euros < 5e7))
      continue;
    const std::time_t seconds = b.date_time / 1000;
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    const char* type = tm.tm_hour >= 8 && tm.tm_hour <= 18   ? "dayTime"
                       : tm.tm_hour <= 6 || tm.tm_hour >= 20 ? "nightTime"
                                                             : "otherTime";
    std::int64_t cs = 0;
    for (char c : b.extra)
      cs += c == 'c' ? 1 : 0;
    want.push_back(line_of(b.auction, b.bidder, euro_text(b.price), type, b.date_time, cs));
  }
  check_query("q14", want);
}

TEST_CASE("q17: per auction and day: counts by price range, min, max, average, sum") {
  std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::int64_t>> prices;
  for (const auto& b : test_bids())
    prices[{b.auction, floor_to(b.date_time, 86400000)}].push_back(b.price);
  lines want;
  for (const auto& [key, ps] : prices) {
    const std::time_t seconds = key.second / 1000;
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char day[48];
    std::snprintf(day, sizeof day, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday);
    std::int64_t r1 = 0, r2 = 0, r3 = 0, sum = 0;
    for (auto p : ps) {
      r1 += p < 10000;
      r2 += p >= 10000 && p < 1000000;
      r3 += p >= 1000000;
      sum += p;
    }
    const auto n = static_cast<std::int64_t>(ps.size());
    want.push_back(line_of(key.first, day, n, r1, r2, r3, *std::min_element(ps.begin(), ps.end()),
                           *std::max_element(ps.begin(), ps.end()), sum / n, sum));
  }
  check_query("q17", want);
}

TEST_CASE("q21: channel ids of the hot channels and from the url") {
  const std::regex channel_id("(&|^)channel_id=([^&]*)");
  const std::map<std::string, std::string> hot{
      {"apple", "0"}, {"google", "1"}, {"facebook", "2"}, {"baidu", "3"}};
  lines want;
  for (const auto& b : test_bids()) {
    std::string lower = b.channel;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    std::smatch m;
    if (hot.count(lower))
      want.push_back(line_of(b.auction, b.bidder, b.price, b.channel, hot.at(lower)));
    else if (std::regex_search(b.url, m, channel_id))
      want.push_back(line_of(b.auction, b.bidder, b.price, b.channel, m[2].str()));
  }
  check_query("q21", want);
}

TEST_CASE("q22: the first three directories of the url") {
  lines want;
  for (const auto& b : test_bids()) {
    std::vector<std::string> parts;
    std::istringstream url(b.url);
    for (std::string part; std::getline(url, part, '/');)
      parts.push_back(part);
    parts.resize(std::max<std::size_t>(parts.size(), 6));
    want.push_back(join({std::to_string(b.auction), std::to_string(b.bidder),
                         std::to_string(b.price), b.channel, parts[3], parts[4], parts[5]}));
  }
  check_query("q22", want);
}

TEST_CASE("q10: every bid with its UTC date and hour:minute (the file partition columns)") {
  lines want;
  for (const auto& b : test_bids()) {
    const std::time_t seconds = b.date_time / 1000;
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char dt[48], hm[48];
    std::snprintf(dt, sizeof dt, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    std::snprintf(hm, sizeof hm, "%02d:%02d", tm.tm_hour, tm.tm_min);
    want.push_back(line_of(b.auction, b.bidder, b.price, b.date_time, dt, hm));
  }
  check_query("q10", want);
}

TEST_CASE("q13: bids joined with the side input by auction % 10000") {
  lines want;
  for (const auto& b : test_bids())
    want.push_back(line_of(b.auction, b.bidder, b.price, b.date_time,
                           "side-" + std::to_string(b.auction % 10000 * 7 % 1000)));
  check_query("q13", want);
}

/// For an updating query: the last line of each key (key_of(line)) at parallelism 1, 2, 4 and
/// of the baseline equals `expected` (key -> line).
template <class KeyOf>
void check_last_lines(const std::string& query, const std::map<std::string, std::string>& expected,
                      KeyOf key_of) {
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
std::string fields(const std::string& line, int n) {
  std::size_t at = 0;
  for (int i = 0; i < n; ++i)
    at = line.find(',', at) + 1;
  return line.substr(0, at - 1);
}

TEST_CASE("q18: the last bid of each bidder on each auction") {
  std::map<std::pair<std::int64_t, std::int64_t>, bid> latest;
  for (const auto& b : test_bids()) {
    auto [it, fresh] = latest.try_emplace({b.bidder, b.auction}, b);
    const auto& l = it->second;
    if (!fresh && (b.date_time > l.date_time ||
                   (b.date_time == l.date_time &&
                    (b.price > l.price || (b.price == l.price && b.channel < l.channel)))))
      it->second = b;
  }
  std::map<std::string, std::string> want;
  for (const auto& [key, b] : latest)
    want[line_of(b.auction, b.bidder)] =
        line_of(b.auction, b.bidder, b.price, b.channel, b.date_time);
  check_last_lines("q18", want, [](const std::string& line) { return fields(line, 2); });
}

TEST_CASE("q19: the 10 highest bids of each auction") {
  std::map<std::int64_t, std::vector<bid>> per_auction;
  for (const auto& b : test_bids())
    per_auction[b.auction].push_back(b);
  std::map<std::string, std::string> want;
  for (auto& [auction, bids] : per_auction) {
    std::sort(bids.begin(), bids.end(), [](const bid& a, const bid& b) {
      if (a.price != b.price)
        return a.price > b.price;
      if (a.date_time != b.date_time)
        return a.date_time < b.date_time;
      if (a.bidder != b.bidder)
        return a.bidder < b.bidder;
      return a.channel < b.channel;
    });
    for (std::size_t r = 0; r < std::min<std::size_t>(10, bids.size()); ++r)
      want[line_of(auction, r + 1)] =
          line_of(auction, r + 1, bids[r].bidder, bids[r].price, bids[r].date_time);
  }
  check_last_lines("q19", want, [](const std::string& line) { return fields(line, 2); });
}

TEST_CASE("q20: bids of auctions of category 10 with the auction's fields") {
  std::map<std::int64_t, auction> auctions;
  for (const auto& e : test_events())
    if (e.is_auction() && e.new_auction.category == 10)
      auctions[e.new_auction.id] = e.new_auction;
  lines want;
  for (const auto& b : test_bids()) {
    const auto a = auctions.find(b.auction);
    if (a == auctions.end())
      continue;
    const auto& x = a->second;
    want.push_back(line_of(b.auction, b.bidder, b.price, b.channel, b.url, b.date_time,
                           x.item_name, x.description, x.initial_bid, x.reserve, x.date_time,
                           x.expires, x.seller, x.category));
  }
  check_query("q20", want);
}

/// q15 and q16's expected last lines: per group (group_of(bid)), bids, distinct bidders and
/// distinct auctions, in total and per price range.
template <class GroupOf>
std::map<std::string, std::string> distinct_counts(GroupOf group_of, bool with_minute) {
  struct sets {
    std::int64_t bids[4] = {};
    std::set<std::int64_t> bidders[4], auctions[4];
    std::string minute;
  };
  std::map<std::string, sets> groups;
  for (const auto& b : test_bids()) {
    auto& g = groups[group_of(b)];
    const int range = b.price < 10000 ? 1 : b.price < 1000000 ? 2 : 3;
    for (int r : {0, range}) {
      ++g.bids[r];
      g.bidders[r].insert(b.bidder);
      g.auctions[r].insert(b.auction);
    }
    const std::time_t seconds = b.date_time / 1000;
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char minute[48];
    std::snprintf(minute, sizeof minute, "%02d:%02d", tm.tm_hour, tm.tm_min);
    g.minute = std::max(g.minute, std::string(minute));
  }
  std::map<std::string, std::string> want;
  for (const auto& [group, g] : groups) {
    std::string line = group + (with_minute ? "," + g.minute : "");
    for (int r = 0; r < 4; ++r)
      line += "," + std::to_string(g.bids[r]);
    for (int r = 0; r < 4; ++r)
      line += "," + std::to_string(g.bidders[r].size());
    for (int r = 0; r < 4; ++r)
      line += "," + std::to_string(g.auctions[r].size());
    want[group] = line;
  }
  return want;
}

std::string utc_day(std::int64_t ms) {
  const std::time_t seconds = ms / 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char day[48];
  std::snprintf(day, sizeof day, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return day;
}

TEST_CASE("q15: bids, distinct bidders and auctions per day, per price range") {
  const auto want = distinct_counts([](const bid& b) { return utc_day(b.date_time); }, false);
  check_last_lines("q15", want, [](const std::string& line) { return fields(line, 1); });
}

TEST_CASE("q16: the same per channel and day, with the latest minute") {
  const auto want = distinct_counts(
      [](const bid& b) { return b.channel + "," + utc_day(b.date_time); }, true);
  REQUIRE(want.size() > 100);
  check_last_lines("q16", want, [](const std::string& line) { return fields(line, 2); });
}

TEST_CASE("every query has a test here") {
  CHECK(query_names() == std::vector<std::string>{"q0",  "q1",  "q2",  "q3",  "q4",  "q5",
                                                  "q7",  "q8",  "q9",  "q10", "q11", "q13",
                                                  "q14", "q15", "q16", "q17", "q18", "q19",
                                                  "q20", "q21", "q22"});
}
