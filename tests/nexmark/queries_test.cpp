// Every query at parallelism 1, 2 and 4, and its single-threaded baseline, against an
// implementation written here: plain loops over the whole list of generated events (a batch
// computation of the query's definition), so nothing is shared with the streaming code but the
// event types. This file: the queries whose every line is a result; updating_queries_test.cpp:
// the queries whose last line per key is.

#include "query_checks.hpp"

#include <regex>
#include <set>
#include <tuple>

using namespace nexmark;
using namespace nexmark::test;

namespace {

/// The C library's YYYY-MM-DD HH:MM:SS of `ms` (seconds rounded down).
std::string libc_date_time(std::int64_t ms) {
  const std::time_t seconds = ms / 1000 - (ms % 1000 < 0 ? 1 : 0);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return text;
}

} // namespace

TEST_CASE("utc_date_time: the C library's calendar, without it") {
  // Day and year boundaries, leap days (2000 is a leap year, 1900 and 2100 are not), the
  // epoch, a millisecond before it, the last second of year 9999.
  for (const std::int64_t ms :
       {std::int64_t{0}, std::int64_t{-1}, std::int64_t{999}, std::int64_t{-86400001},
        std::int64_t{951782400000}, std::int64_t{951868799999}, std::int64_t{-2203891200000},
        std::int64_t{4107542400000}, std::int64_t{1436918400000}, std::int64_t{253402300799999}})
    CHECK(utc_date_time(ms) == libc_date_time(ms));
  std::uint64_t x = 12345;
  for (int i = 0; i < 100000; ++i) { // years 1970-9999
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const auto ms = static_cast<std::int64_t>((x >> 11) % 253402300800000ULL);
    REQUIRE(utc_date_time(ms) == libc_date_time(ms));
  }
  CHECK(utc_date(1436918400000) == "2015-07-15");
}


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

