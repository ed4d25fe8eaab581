// The distinct counts per day (q15) and per channel and day (q16): bids, distinct bidders and
// distinct auctions, in total and per price range (< 10,000, < 1,000,000, the rest). An
// updating result: a line per bid, the last line of a group is its result. Distinctness is
// decided in two keyed stages, by (group, bidder) and by (group, auction), so it runs in
// parallel; the last stage, keyed by group, only adds up.

#include "queries.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace nexmark {
namespace {

struct grouped_bid {
  std::string group; ///< q15: the day; q16: channel,day
  std::int64_t bidder = 0;
  std::int64_t auction = 0;
  std::int32_t range = 0;    ///< 1, 2, 3: the price range
  std::string minute;        ///< HH:MM of date_time (q16)
  std::int32_t new_bidder = 0;  ///< bit 0: first bid of the bidder in the group; bit r: in range r
  std::int32_t new_auction = 0; ///< the same for the auction
  std::int64_t emitted_ns = 0;
  SLUICE_FIELDS(group, bidder, auction, range, minute, new_bidder, new_auction, emitted_ns)
};

using group_member = std::pair<std::string, std::int64_t>;

/// Marks in the bid which of its (total, range) are the member's first in the group.
template <bool Bidder>
class first_of_member final
    : public sluice::keyed_process_function<group_member, grouped_bid, grouped_bid> {
public:
  void open(const sluice::runtime_context& ctx) override {
    seen_ = &ctx.get_state(sluice::value_state_descriptor<std::int32_t>("ranges seen"));
  }
  void process_element(grouped_bid&& b, context&, sluice::collector<grouped_bid>& out) override {
    const std::int32_t seen = seen_->value().value_or(0);
    const std::int32_t bits = 1 | (1 << b.range);
    if ((bits & ~seen) != 0)
      seen_->update(seen | bits);
    (Bidder ? b.new_bidder : b.new_auction) = bits & ~seen;
    out.collect(std::move(b));
  }

private:
  sluice::value_state<std::int32_t>* seen_ = nullptr;
};

/// Per group: bids, bidders, auctions (total and per range) and the latest minute. Fixed-size,
/// so that reading and updating the state per bid allocates nothing.
struct group_counts {
  std::array<std::int64_t, 12> counts{};
  std::string minute;
  SLUICE_FIELDS(counts, minute)
};

class add_up final : public sluice::keyed_process_function<std::string, grouped_bid, row> {
public:
  explicit add_up(bool with_minute = false) : with_minute_(with_minute) {}
  void open(const sluice::runtime_context& ctx) override {
    totals_ = &ctx.get_state(sluice::value_state_descriptor<group_counts>("counts"));
  }
  void process_element(grouped_bid&& b, context&, sluice::collector<row>& out) override {
    auto t = totals_->value().value_or(group_counts{});
    ++t.counts[0];
    ++t.counts[static_cast<std::size_t>(b.range)];
    for (std::size_t bit = 0; bit < 4; ++bit) {
      t.counts[4 + bit] += (b.new_bidder >> bit) & 1;
      t.counts[8 + bit] += (b.new_auction >> bit) & 1;
    }
    t.minute = std::max(t.minute, b.minute);
    std::string line = b.group;
    if (with_minute_) {
      line += ',';
      line += t.minute;
    }
    for (auto c : t.counts) {
      line += ',';
      append_value(line, c);
    }
    totals_->update(t);
    out.collect(row{std::move(line), b.emitted_ns});
  }

private:
  bool with_minute_;
  sluice::value_state<group_counts>* totals_ = nullptr;
};

sluice::data_stream<row> distinct_counts(sluice::data_stream<event> events, bool per_channel,
                                         const std::string& name) {
  return events.filter([](const event& e) { return e.is_bid(); }, "bids")
      .map(
          [per_channel](const event& e) {
            const auto& b = e.new_bid;
            const auto date_time = utc_date_time(b.date_time);
            grouped_bid g;
            g.group = per_channel ? b.channel + "," + date_time.substr(0, 10)
                                  : date_time.substr(0, 10);
            g.bidder = b.bidder;
            g.auction = b.auction;
            g.range = price_range(b.price);
            if (per_channel)
              g.minute = date_time.substr(11, 5);
            g.emitted_ns = e.emitted_ns;
            return g;
          },
          "bids per group")
      .key_by([](const grouped_bid& b) { return group_member{b.group, b.bidder}; })
      .process(first_of_member<true>{}, name + " distinct bidders")
      .key_by([](const grouped_bid& b) { return group_member{b.group, b.auction}; })
      .process(first_of_member<false>{}, name + " distinct auctions")
      .key_by([](const grouped_bid& b) { return b.group; })
      .process(add_up{per_channel}, name + " counts");
}

} // namespace

std::int32_t price_range(std::int64_t price) {
  return price < 10000 ? 1 : price < 1000000 ? 2 : 3;
}

sluice::data_stream<row> query_q15(sluice::data_stream<event> events) {
  return distinct_counts(std::move(events), false, "q15");
}

sluice::data_stream<row> query_q16(sluice::data_stream<event> events) {
  return distinct_counts(std::move(events), true, "q16");
}

} // namespace nexmark
