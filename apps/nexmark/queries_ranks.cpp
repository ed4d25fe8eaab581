// The top-N queries over bids (updating results, a line per change): q18 (the last bid of each
// bidder on each auction) and q19 (the 10 highest bids of each auction).

#include "queries.hpp"

#include <algorithm>
#include <tuple>
#include <utility>
#include <vector>

namespace nexmark {
namespace {

struct ranked_bid {
  std::int64_t auction = 0;
  std::int64_t bidder = 0;
  std::int64_t price = 0;
  std::string channel;
  std::int64_t date_time = 0;
  std::int64_t emitted_ns = 0;
  SLUICE_FIELDS(auction, bidder, price, channel, date_time, emitted_ns)
};

sluice::data_stream<ranked_bid> ranked_bids(sluice::data_stream<event> events) {
  return events.filter([](const event& e) { return e.is_bid(); }, "bids")
      .map(
          [](event&& e) {
            auto& b = e.new_bid;
            return ranked_bid{b.auction,   b.bidder,   b.price, std::move(b.channel),
                              b.date_time, e.emitted_ns};
          },
          "ranked bids");
}

using bidder_auction = std::pair<std::int64_t, std::int64_t>;

/// q18: per (bidder, auction) the latest bid (then the highest price, then the first channel
/// in byte order); a line whenever it changes.
class latest_bid final : public sluice::keyed_process_function<bidder_auction, ranked_bid, row> {
public:
  void open(const sluice::runtime_context& ctx) override {
    latest_ = &ctx.get_state(sluice::value_state_descriptor<ranked_bid>("latest bid"));
  }
  void process_element(ranked_bid&& b, context&, sluice::collector<row>& out) override {
    if (auto l = latest_->value())
      if (std::make_tuple(l->date_time, l->price, b.channel) >=
          std::make_tuple(b.date_time, b.price, l->channel))
        return;
    out.collect(row{csv(b.auction, b.bidder, b.price, b.channel, b.date_time), b.emitted_ns});
    latest_->update(b);
  }

private:
  sluice::value_state<ranked_bid>* latest_ = nullptr;
};

constexpr std::size_t top_n = 10;

/// Order of q19's ranks: higher price, then earlier, then lower bidder, then channel.
bool ranks_before(const ranked_bid& a, const ranked_bid& b) {
  return std::make_tuple(-a.price, a.date_time, a.bidder, a.channel) <
         std::make_tuple(-b.price, b.date_time, b.bidder, b.channel);
}

/// q19: per auction its 10 highest bids; a line `auction,rank,...` for every rank whose bid
/// changed.
class top_bids final : public sluice::keyed_process_function<std::int64_t, ranked_bid, row> {
public:
  void open(const sluice::runtime_context& ctx) override {
    top_ = &ctx.get_state(sluice::value_state_descriptor<std::vector<ranked_bid>>("top bids"));
  }
  void process_element(ranked_bid&& b, context&, sluice::collector<row>& out) override {
    auto top = top_->value().value_or(std::vector<ranked_bid>{});
    const auto at = std::upper_bound(top.begin(), top.end(), b, ranks_before);
    const auto rank = static_cast<std::size_t>(at - top.begin());
    if (rank >= top_n)
      return;
    const auto emitted = b.emitted_ns;
    top.insert(at, std::move(b));
    if (top.size() > top_n)
      top.pop_back();
    for (std::size_t r = rank; r < top.size(); ++r) {
      const auto& t = top[r];
      out.collect(row{csv(t.auction, static_cast<std::int64_t>(r + 1), t.bidder, t.price,
                          t.date_time),
                      emitted});
    }
    top_->update(top);
  }

private:
  sluice::value_state<std::vector<ranked_bid>>* top_ = nullptr;
};

} // namespace

sluice::data_stream<row> query_q18(sluice::data_stream<event> events) {
  return ranked_bids(std::move(events))
      .key_by([](const ranked_bid& b) { return bidder_auction{b.bidder, b.auction}; })
      .process(latest_bid{}, "q18 latest bid");
}

sluice::data_stream<row> query_q19(sluice::data_stream<event> events) {
  return ranked_bids(std::move(events))
      .key_by([](const ranked_bid& b) { return b.auction; })
      .process(top_bids{}, "q19 top bids");
}

} // namespace nexmark
