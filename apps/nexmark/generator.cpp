#include "generator.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <string>
#include <vector>

namespace nexmark {
namespace {

/// splitmix64: one stream of random numbers per (seed, event id).
class random_stream {
public:
  random_stream(std::uint64_t seed, std::uint64_t stream)
      : state_(mix(seed + 0x632be59bd9b4e019ULL) ^ (stream * 0x9e3779b97f4a7c15ULL)) {}

  std::uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return mix(state_);
  }
  /// Uniform in [0, bound), bound > 0.
  std::int64_t next_int(std::int64_t bound) {
    return static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(bound));
  }
  /// Uniform in [0, 1).
  double next_double() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

private:
  static std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t state_;
};

const char* const us_states[] = {"AZ", "CA", "ID", "OR", "WA", "WY"};
const char* const us_cities[] = {"Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland",
                                 "Bend",    "Redmond",     "Seattle",       "Kent",  "Cheyenne"};
const char* const first_names[] = {"Peter", "Paul",  "Luke",  "John",   "Saul",  "Vicky",
                                   "Kate",  "Julie", "Sarah", "Deiter", "Walter"};
const char* const last_names[] = {"Shultz", "Abrams", "Spencer", "White", "Bartels",
                                  "Walton", "Smith",  "Jones",   "Noris"};
const char* const hot_channels[] = {"Google", "Facebook", "Baidu", "Apple"};

template <class T, std::size_t N> const T& pick(random_stream& r, const T (&items)[N]) {
  return items[r.next_int(static_cast<std::int64_t>(N))];
}

/// 3 to max_length-1 characters: letters, each one `special` with probability 1/13; spaces at
/// either end are trimmed (as Java's String.trim).
std::string next_string(random_stream& r, int max_length, char special = ' ') {
  std::int64_t length = 3 + r.next_int(max_length - 3);
  std::string s;
  s.reserve(static_cast<std::size_t>(length));
  while (length-- > 0)
    s += r.next_int(13) == 0 ? special : static_cast<char>('a' + r.next_int(26));
  const auto first = s.find_first_not_of(' ');
  if (first == std::string::npos)
    return {};
  return s.substr(first, s.find_last_not_of(' ') - first + 1);
}

/// 64 KiB of random letters, substrings of which serve as `extra` (as the suite reuses one).
/// Small enough to stay in a core's L2 cache: from 1 MiB, the substring at a random offset cost
/// the generator a cache miss per event (185-237 against 254-327 ns per event, back to back).
const std::string& reusable_letters() {
  static const std::string letters = [] {
    random_stream r(0x6e65786d61726bULL, 0);
    std::string s(1 << 16, 'a');
    for (auto& c : s)
      c = static_cast<char>('a' + r.next_int(26));
    return s;
  }();
  return letters;
}

/// Letters such that current_size plus their length averages desired_average (uniform within
/// ±20% of the difference); empty if current_size is already larger.
std::string next_extra(random_stream& r, int current_size, int desired_average) {
  if (current_size > desired_average)
    return {};
  const int wanted = desired_average - current_size;
  const int delta = static_cast<int>(std::lround(wanted * 0.2));
  const int size = wanted - delta + (delta == 0 ? 0 : static_cast<int>(r.next_int(2 * delta)));
  const auto& letters = reusable_letters();
  const auto offset = r.next_int(static_cast<std::int64_t>(letters.size()) - size);
  return letters.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(size));
}

/// round(10^(6u) * 100), u uniform in [0, 1): 100 to 100,000,000 cents, log-uniform.
std::int64_t next_price(random_stream& r) {
  return std::llround(std::pow(10.0, r.next_double() * 6.0) * 100.0);
}

/// One of the 1000 most recent people, or up to 10 not yet created.
std::int64_t next_base0_person_id(random_stream& r, std::int64_t id) {
  const std::int64_t people = last_base0_person_id(id) + 1;
  const std::int64_t active = std::min(people, rules::num_active_people);
  return people - active + r.next_int(active + rules::id_lead);
}

/// One of the 100 most recent auctions, or up to 10 not yet created.
std::int64_t next_base0_auction_id(random_stream& r, std::int64_t id) {
  const std::int64_t last = last_base0_auction_id(id);
  const std::int64_t first = std::max<std::int64_t>(last - rules::num_in_flight_auctions, 0);
  return first + r.next_int(last - first + 1 + rules::id_lead);
}

std::string base_url(random_stream& r) {
  return "https://www.nexmark.com/" + next_string(r, 5, '_') + '/' + next_string(r, 5, '_') +
         '/' + next_string(r, 5, '_') + "/item.htm?query=1";
}

struct channel_urls {
  std::vector<std::string> hot;     ///< one per hot channel
  std::vector<std::string> numbered; ///< channel-i's url
};

/// The urls of the hot channels and of channel-0 .. channel-9999 (the same for every seed, as
/// the suite builds them once); 9 in 10 numbered urls end with &channel_id=<bit-reversed i>.
const channel_urls& urls() {
  static const channel_urls all = [] {
    random_stream r(0x75726c73ULL, 1);
    channel_urls u;
    for (std::size_t i = 0; i < std::size(hot_channels); ++i)
      u.hot.push_back(base_url(r));
    for (int i = 0; i < rules::channels; ++i) {
      std::string url = base_url(r);
      if (r.next_int(10) > 0) {
        std::uint32_t v = static_cast<std::uint32_t>(i), reversed = 0;
        for (int b = 0; b < 32; ++b, v >>= 1)
          reversed = (reversed << 1) | (v & 1U);
        const auto as_int = static_cast<std::int64_t>(static_cast<std::int32_t>(reversed));
        url += "&channel_id=" + std::to_string(as_int < 0 ? -as_int : as_int);
      }
      u.numbered.push_back(std::move(url));
    }
    return u;
  }();
  return all;
}

person make_person(random_stream& r, std::int64_t id, std::int64_t ts) {
  person p;
  p.id = last_base0_person_id(id) + rules::first_person_id;
  p.name = std::string(pick(r, first_names)) + ' ' + pick(r, last_names);
  p.email_address = next_string(r, 7) + '@' + next_string(r, 5) + ".com";
  for (int i = 0; i < 4; ++i) {
    char group[8];
    std::snprintf(group, sizeof group, "%04d", static_cast<int>(r.next_int(10000)));
    p.credit_card += (i > 0 ? " " : "") + std::string(group);
  }
  p.city = pick(r, us_cities);
  p.state = pick(r, us_states);
  p.date_time = ts;
  const auto size = 8 + p.name.size() + p.email_address.size() + p.credit_card.size() +
                    p.city.size() + p.state.size();
  p.extra = next_extra(r, static_cast<int>(size), rules::avg_person_bytes);
  return p;
}

/// 1 + uniform [0, 2h), h the event time until 100 more auctions are created.
std::int64_t next_auction_length_ms(random_stream& r, const generator_config& config,
                                    std::int64_t id, std::int64_t ts) {
  const std::int64_t events_for_auctions =
      rules::num_in_flight_auctions * rules::total_proportion / rules::auction_proportion;
  const std::int64_t horizon = timestamp_of(config, id + events_for_auctions) - ts;
  return 1 + r.next_int(std::max<std::int64_t>(horizon * 2, 1));
}

auction make_auction(random_stream& r, const generator_config& config, std::int64_t id,
                     std::int64_t ts) {
  auction a;
  a.id = last_base0_auction_id(id) + rules::first_auction_id;
  a.seller = r.next_int(rules::hot_sellers_ratio) > 0
                 ? last_base0_person_id(id) / rules::hot_batch * rules::hot_batch
                 : next_base0_person_id(r, id);
  a.seller += rules::first_person_id;
  a.category = rules::first_category_id + r.next_int(rules::num_categories);
  a.initial_bid = next_price(r);
  a.date_time = ts;
  a.expires = ts + next_auction_length_ms(r, config, id, ts);
  a.item_name = next_string(r, 20);
  a.description = next_string(r, 100);
  a.reserve = a.initial_bid + next_price(r);
  const auto size = 8 + a.item_name.size() + a.description.size() + 40;
  a.extra = next_extra(r, static_cast<int>(size), rules::avg_auction_bytes);
  return a;
}

bid make_bid(random_stream& r, std::int64_t id, std::int64_t ts) {
  bid b;
  b.auction = r.next_int(rules::hot_auction_ratio) > 0
                  ? last_base0_auction_id(id) / rules::hot_batch * rules::hot_batch
                  : next_base0_auction_id(r, id);
  b.auction += rules::first_auction_id;
  // The second person of the batch, so that hot bidders and hot sellers differ.
  b.bidder = r.next_int(rules::hot_bidders_ratio) > 0
                 ? last_base0_person_id(id) / rules::hot_batch * rules::hot_batch + 1
                 : next_base0_person_id(r, id);
  b.bidder += rules::first_person_id;
  b.price = next_price(r);
  if (r.next_int(2) > 0) {
    const auto i = r.next_int(static_cast<std::int64_t>(std::size(hot_channels)));
    b.channel = hot_channels[i];
    b.url = urls().hot[static_cast<std::size_t>(i)];
  } else {
    const auto i = r.next_int(rules::channels);
    b.channel = "channel-" + std::to_string(i);
    b.url = urls().numbered[static_cast<std::size_t>(i)];
  }
  b.date_time = ts;
  b.extra = next_extra(r, 32, rules::avg_bid_bytes);
  return b;
}

} // namespace

event_kind kind_of(std::int64_t id) {
  const std::int64_t offset = id % rules::total_proportion;
  if (offset < rules::person_proportion)
    return event_kind::person;
  if (offset < rules::person_proportion + rules::auction_proportion)
    return event_kind::auction;
  return event_kind::bid;
}

std::int64_t timestamp_of(const generator_config& config, std::int64_t id) {
  const double delay_us = 1000000.0 / static_cast<double>(config.first_event_rate);
  return config.base_time_ms + static_cast<std::int64_t>(static_cast<double>(id) * delay_us) / 1000;
}

std::int64_t last_base0_person_id(std::int64_t id) {
  const std::int64_t epoch = id / rules::total_proportion;
  const std::int64_t offset =
      std::min(id % rules::total_proportion, rules::person_proportion - 1);
  return epoch * rules::person_proportion + offset;
}

std::int64_t last_base0_auction_id(std::int64_t id) {
  std::int64_t epoch = id / rules::total_proportion;
  std::int64_t offset = id % rules::total_proportion;
  if (offset < rules::person_proportion) {
    --epoch; // the last auction of the previous epoch
    offset = rules::auction_proportion - 1;
  } else if (offset >= rules::person_proportion + rules::auction_proportion) {
    offset = rules::auction_proportion - 1; // the last auction of this epoch
  } else {
    offset -= rules::person_proportion;
  }
  return epoch * rules::auction_proportion + offset;
}

event generate_event(const generator_config& config, std::int64_t id) {
  random_stream r(config.seed, static_cast<std::uint64_t>(id));
  const std::int64_t ts = timestamp_of(config, id);
  event e;
  e.kind = static_cast<std::int32_t>(kind_of(id));
  switch (kind_of(id)) {
  case event_kind::person: e.new_person = make_person(r, id, ts); break;
  case event_kind::auction: e.new_auction = make_auction(r, config, id, ts); break;
  case event_kind::bid: e.new_bid = make_bid(r, id, ts); break;
  }
  return e;
}

} // namespace nexmark
