// The updating queries (the last line of each key is the result) against loops over the
// generated events, at parallelism 1, 2 and 4 and their baselines; see queries_test.cpp.

#include "query_checks.hpp"

#include <set>

using namespace nexmark;
using namespace nexmark::test;

namespace {

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


} // namespace

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
                                                  "q7",  "q8",  "q9",  "q10", "q11", "q12",
                                                  "q13", "q14", "q15", "q16", "q17", "q18",
                                                  "q19", "q20", "q21", "q22"});
}
