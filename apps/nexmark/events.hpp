#pragma once
// The three Nexmark record types (persons, auctions, bids) and the event that carries one of them,
// as the nexmark/nexmark suite defines them; date_time and expires in epoch milliseconds.

#include <sluice/state/serialization.hpp>

#include <cstdint>
#include <string>

namespace nexmark {

struct person {
  std::int64_t id = 0;
  std::string name;
  std::string email_address;
  std::string credit_card;
  std::string city;
  std::string state;
  std::int64_t date_time = 0;
  std::string extra;
  SLUICE_FIELDS(id, name, email_address, credit_card, city, state, date_time, extra)
};

struct auction {
  std::int64_t id = 0;
  std::string item_name;
  std::string description;
  std::int64_t initial_bid = 0;
  std::int64_t reserve = 0;
  std::int64_t date_time = 0;
  std::int64_t expires = 0;
  std::int64_t seller = 0;
  std::int64_t category = 0;
  std::string extra;
  SLUICE_FIELDS(id, item_name, description, initial_bid, reserve, date_time, expires, seller,
                category, extra)
};

struct bid {
  std::int64_t auction = 0;
  std::int64_t bidder = 0;
  std::int64_t price = 0;
  std::string channel;
  std::string url;
  std::int64_t date_time = 0;
  std::string extra;
  SLUICE_FIELDS(auction, bidder, price, channel, url, date_time, extra)
};

/// Which of the three an event holds.
enum class event_kind : std::int32_t { person = 0, auction = 1, bid = 2 };

/// One event: `kind` says which member is set (the others stay empty). `emitted_ns` is the
/// steady-clock time the in-process generator emitted it (0 for events read from a file), for
/// latency figures.
struct event {
  std::int32_t kind = 0;
  person new_person;
  auction new_auction;
  bid new_bid;
  std::int64_t emitted_ns = 0;
  SLUICE_FIELDS(kind, new_person, new_auction, new_bid, emitted_ns)

  event_kind type() const { return static_cast<event_kind>(kind); }
  bool is_person() const { return type() == event_kind::person; }
  bool is_auction() const { return type() == event_kind::auction; }
  bool is_bid() const { return type() == event_kind::bid; }
  /// The date_time of the record it holds.
  std::int64_t date_time() const {
    return is_person() ? new_person.date_time
                       : is_auction() ? new_auction.date_time : new_bid.date_time;
  }
};

} // namespace nexmark
