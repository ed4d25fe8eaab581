#pragma once
// The Nexmark event generator: event `id` (0, 1, 2, ...) is a pure function of the seed and the
// id, so a parallel source can generate any split of the id range in any order and a restored
// one picks up at its checkpointed ids. The rules are those of nexmark/nexmark's Java generator
// (GeneratorConfig, PersonGenerator, AuctionGenerator, BidGenerator, PriceGenerator,
// StringsGenerator), written anew; docs/nexmark.md lists them and the one deliberate difference.

#include "events.hpp"

#include <cstdint>

namespace nexmark {

/// The suite's constants (NexmarkConfiguration defaults and the generators' own).
namespace rules {
constexpr std::int64_t person_proportion = 1;
constexpr std::int64_t auction_proportion = 3;
constexpr std::int64_t bid_proportion = 46;
constexpr std::int64_t total_proportion = person_proportion + auction_proportion + bid_proportion;
constexpr std::int64_t first_person_id = 1000;
constexpr std::int64_t first_auction_id = 1000;
constexpr std::int64_t first_category_id = 10;
constexpr std::int64_t num_categories = 5;
constexpr std::int64_t hot_auction_ratio = 2;  ///< 1 - 1/2 of bids go to a hot auction
constexpr std::int64_t hot_sellers_ratio = 4;  ///< 1 - 1/4 of auctions by a hot seller
constexpr std::int64_t hot_bidders_ratio = 4;  ///< 1 - 1/4 of bids by a hot bidder
constexpr std::int64_t hot_batch = 100;        ///< hot ids are the first of each batch of 100
constexpr std::int64_t num_in_flight_auctions = 100;
constexpr std::int64_t num_active_people = 1000;
constexpr std::int64_t id_lead = 10; ///< ids up to 10 ahead of the last created one are drawn
constexpr int avg_person_bytes = 200;
constexpr int avg_auction_bytes = 500;
constexpr int avg_bid_bytes = 100;
constexpr int channels = 10000;
} // namespace rules

struct generator_config {
  std::uint64_t seed = 0;
  /// Events per second of event time (the suite's firstEventRate): event n's date_time is
  /// base_time_ms + floor(n * 1e6 / rate) / 1000.
  std::int64_t first_event_rate = 10000;
  std::int64_t base_time_ms = 1700000000000;
};

/// What event `id` holds (by id % 50: 1 person, 3 auctions, 46 bids).
event_kind kind_of(std::int64_t id);
/// The date_time of event `id`.
std::int64_t timestamp_of(const generator_config& config, std::int64_t id);
/// The id (without first_person_id) of the last person created at or before event `id`.
std::int64_t last_base0_person_id(std::int64_t id);
/// The id (without first_auction_id) of the last auction created at or before event `id`.
std::int64_t last_base0_auction_id(std::int64_t id);

/// Event `id` for `config` (emitted_ns left 0).
event generate_event(const generator_config& config, std::int64_t id);

} // namespace nexmark
