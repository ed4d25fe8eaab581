// The generator against the suite's rules (nexmark/nexmark's GeneratorConfig, PersonGenerator,
// AuctionGenerator, BidGenerator, PriceGenerator, StringsGenerator), and the JSON lines.

#include "../temp_dir.hpp"
#include "generator.hpp"
#include "json_lines.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <vector>

using namespace nexmark;

namespace {

std::string json_of(const event& e) {
  std::string s;
  append_json_line(s, e);
  return s;
}

std::vector<event> generate(const generator_config& config, int n) {
  std::vector<event> events;
  for (int id = 0; id < n; ++id)
    events.push_back(generate_event(config, id));
  return events;
}

} // namespace

TEST_CASE("the same seed gives the same events in any id order, another seed others") {
  generator_config a;
  a.seed = 7;
  generator_config b = a;
  b.seed = 8;
  int differing = 0;
  for (int id = 0; id < 2000; ++id) {
    const auto first = json_of(generate_event(a, id));
    CHECK(first == json_of(generate_event(a, id)));
    differing += first != json_of(generate_event(b, id)) ? 1 : 0;
  }
  CHECK(json_of(generate_event(a, 1999)) == json_of(generate(a, 2000).back()));
  CHECK(differing == 2000);
}

TEST_CASE("1 person, 3 auctions, 46 bids in every 50 event ids, ids consecutive from 1000") {
  generator_config config;
  const auto events = generate(config, 50000);
  std::int64_t next_person = 1000, next_auction = 1000;
  for (std::size_t id = 0; id < events.size(); ++id) {
    const auto offset = id % 50;
    const auto& e = events[id];
    CAPTURE(id);
    if (offset == 0) {
      REQUIRE(e.is_person());
      CHECK(e.new_person.id == next_person++);
    } else if (offset < 4) {
      REQUIRE(e.is_auction());
      CHECK(e.new_auction.id == next_auction++);
    } else {
      REQUIRE(e.is_bid());
    }
  }
  CHECK(next_person == 1000 + 1000);
  CHECK(next_auction == 1000 + 3000);
}

TEST_CASE("date_time is base + floor(id * 1e6 / rate) / 1000") {
  generator_config config;
  config.first_event_rate = 4000;
  config.base_time_ms = 5000;
  for (std::int64_t id = 0; id < 10000; ++id) {
    const auto e = generate_event(config, id);
    // 1e6/4000 = 250 us per event: event id falls in ms id/4.
    CHECK(e.date_time() == 5000 + id / 4);
  }
}

TEST_CASE("field rules: persons, auctions, bids") {
  generator_config config;
  config.seed = 3;
  const auto events = generate(config, 100000);
  const std::set<std::string> states{"AZ", "CA", "ID", "OR", "WA", "WY"};
  std::int64_t last_person = -1, last_auction = -1;
  std::int64_t bids = 0, hot_auction_bids = 0, hot_bidder_bids = 0, hot_channel_bids = 0;
  std::int64_t auctions = 0, hot_seller_auctions = 0;
  std::int64_t bid_extra = 0, person_size = 0, persons = 0, auction_size = 0;
  std::set<std::int64_t> categories;
  for (const auto& e : events) {
    if (e.is_person()) {
      const auto& p = e.new_person;
      last_person = p.id;
      CHECK(states.count(p.state) == 1);
      CHECK(p.credit_card.size() == 19);
      CHECK(p.email_address.find('@') != std::string::npos);
      CHECK(p.email_address.size() > 4);
      CHECK(p.email_address.compare(p.email_address.size() - 4, 4, ".com") == 0);
      person_size += static_cast<std::int64_t>(8 + p.name.size() + p.email_address.size() +
                                               p.credit_card.size() + p.city.size() +
                                               p.state.size() + p.extra.size());
      ++persons;
    } else if (e.is_auction()) {
      const auto& a = e.new_auction;
      last_auction = a.id;
      categories.insert(a.category);
      CHECK(a.category >= 10);
      CHECK(a.category <= 14);
      CHECK(a.initial_bid >= 100);
      CHECK(a.initial_bid <= 100000000);
      CHECK(a.reserve > a.initial_bid);
      CHECK(a.expires > a.date_time);
      CHECK(a.seller >= 1000);
      CHECK(a.seller <= last_person + 10);
      CHECK(a.item_name.size() < 20);
      CHECK(a.description.size() < 100);
      ++auctions;
      hot_seller_auctions += (a.seller - 1000) % 100 == 0 ? 1 : 0;
      auction_size += static_cast<std::int64_t>(8 + a.item_name.size() + a.description.size() +
                                                40 + a.extra.size());
    } else {
      const auto& b = e.new_bid;
      ++bids;
      CHECK(b.auction >= 1000);
      CHECK(b.auction <= last_auction + 10);
      CHECK(b.auction >= std::min<std::int64_t>(1000, last_auction - 100));
      CHECK(b.bidder >= 1000);
      CHECK(b.bidder <= last_person + 10);
      CHECK(b.price >= 100);
      CHECK(b.price <= 100000000);
      hot_auction_bids += (b.auction - 1000) % 100 == 0 ? 1 : 0;
      hot_bidder_bids += (b.bidder - 1000) % 100 == 1 ? 1 : 0;
      const bool hot_channel = b.channel == "Google" || b.channel == "Facebook" ||
                               b.channel == "Baidu" || b.channel == "Apple";
      hot_channel_bids += hot_channel ? 1 : 0;
      if (!hot_channel)
        CHECK(b.channel.rfind("channel-", 0) == 0);
      CHECK(b.url.rfind("https://www.nexmark.com/", 0) == 0);
      // Extra: 68 bytes +-20% (100 on average with the 32 of the other fields).
      CHECK(b.extra.size() >= 54);
      CHECK(b.extra.size() < 82);
      bid_extra += static_cast<std::int64_t>(b.extra.size());
    }
  }
  CHECK(categories.size() == 5);
  // Hot: 1 - 1/2 of bids go to the batch's first auction (plus the random ones landing there),
  // 1 - 1/4 of bids by the batch's second person, 1 - 1/4 of auctions by its first; half the
  // bids on the four hot channels.
  CHECK(hot_auction_bids * 100 / bids >= 48);
  CHECK(hot_auction_bids * 100 / bids <= 53);
  CHECK(hot_bidder_bids * 100 / bids >= 73);
  CHECK(hot_bidder_bids * 100 / bids <= 77);
  CHECK(hot_seller_auctions * 100 / auctions >= 72);
  CHECK(hot_seller_auctions * 100 / auctions <= 78);
  CHECK(hot_channel_bids * 100 / bids >= 48);
  CHECK(hot_channel_bids * 100 / bids <= 52);
  CHECK(bid_extra / bids >= 66);
  CHECK(bid_extra / bids <= 70);
  CHECK(person_size / persons >= 195);
  CHECK(person_size / persons <= 205);
  CHECK(auction_size / auctions >= 490);
  CHECK(auction_size / auctions <= 510);
}

TEST_CASE("JSON lines: the issue's field order, and read back equal") {
  generator_config config;
  const auto events = generate(config, 200);
  CHECK(json_of(events[0]).rfind("{\"type\":\"person\",\"id\":1000,\"name\":", 0) == 0);
  CHECK(json_of(events[1]).rfind("{\"type\":\"auction\",\"id\":1000,\"item_name\":", 0) == 0);
  CHECK(json_of(events[4]).rfind("{\"type\":\"bid\",\"auction\":", 0) == 0);
  sluice::test::temp_dir dir;
  const auto path = dir.path() / "events.json";
  {
    std::ofstream out(path);
    for (const auto& e : events)
      out << json_of(e);
  }
  const auto back = read_json_lines(path.string());
  REQUIRE(back.size() == events.size());
  for (std::size_t i = 0; i < back.size(); ++i)
    CHECK(json_of(back[i]) == json_of(events[i]));
}

TEST_CASE("a malformed line is an error naming the file and the line") {
  sluice::test::temp_dir dir;
  const auto path = dir.path() / "bad.json";
  const std::vector<std::pair<std::string, std::string>> cases{
      {"{\"type\":\"bid\",\"auction\":1", "not valid JSON"},
      {"{\"type\":\"bid\",\"auction\":1}", "missing field \"bidder\""},
      {"{\"type\":\"car\"}", "unknown type \"car\" (person, auction or bid)"},
      {"[1,2]", "not a JSON object"}};
  for (const auto& [line, message] : cases) {
    {
      std::ofstream out(path);
      out << json_of(generate_event({}, 0)) << '\n' << line << '\n';
    }
    try {
      read_json_lines(path.string());
      FAIL("no error for " << line);
    } catch (const std::runtime_error& e) {
      CHECK(std::string(e.what()) == path.string() + ":3: " + message);
    }
  }
}
