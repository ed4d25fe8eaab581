// The queries over auctions and their winning bids: q4 (average closing price per category)
// and q9 (winning bids). A winning bid is the highest bid of its auction with
// auction.date_time <= bid.date_time <= auction.expires (ties: the earliest, then the lowest
// bidder).

#include "queries.hpp"

#include <tuple>
#include <utility>
#include <vector>

namespace nexmark {
namespace {

struct auction_terms {
  std::int64_t id = 0;
  std::int64_t seller = 0;
  std::int64_t category = 0;
  std::int64_t initial_bid = 0;
  std::int64_t reserve = 0;
  std::int64_t date_time = 0;
  std::int64_t expires = 0;
  SLUICE_FIELDS(id, seller, category, initial_bid, reserve, date_time, expires)
};

struct offer {
  std::int64_t auction = 0;
  std::int64_t bidder = 0;
  std::int64_t price = 0;
  std::int64_t date_time = 0;
  std::int64_t emitted_ns = 0;
  SLUICE_FIELDS(auction, bidder, price, date_time, emitted_ns)
};

/// A new winning price of an auction (previous: -1 if it had none).
struct price_change {
  std::int64_t category = 0;
  std::int64_t previous = -1;
  std::int64_t price = 0;
  std::int64_t emitted_ns = 0;
  SLUICE_FIELDS(category, previous, price, emitted_ns)
};

bool better(const offer& a, const offer& b) {
  return std::make_tuple(-a.price, a.date_time, a.bidder) <
         std::make_tuple(-b.price, b.date_time, b.bidder);
}

/// Per auction id: the auction, its best valid bid so far, and the bids that came before the
/// auction did. When the watermark passes `expires` the winner is final and the key's state is
/// dropped; bids whose auction has not come by the time the watermark passes their date_time
/// can match none and are dropped too.
template <class Out>
class winning_bids : public sluice::keyed_co_process_function<std::int64_t, auction_terms, offer,
                                                              Out> {
  using base = sluice::keyed_co_process_function<std::int64_t, auction_terms, offer, Out>;

public:
  using typename base::context;
  using typename base::on_timer_context;

  void open(const sluice::runtime_context& ctx) override {
    auction_ = &ctx.get_state(sluice::value_state_descriptor<auction_terms>("auction"));
    best_ = &ctx.get_state(sluice::value_state_descriptor<offer>("best bid"));
    early_ = &ctx.get_state(sluice::list_state_descriptor<offer>("bids before the auction"));
  }
  void process_element1(auction_terms&& a, context& ctx, sluice::collector<Out>& out) override {
    auction_->update(a);
    for (auto& b : early_->get())
      consider(a, b, out);
    early_->clear();
    ctx.timer_service().register_event_time_timer(a.expires);
  }
  void process_element2(offer&& b, context& ctx, sluice::collector<Out>& out) override {
    if (auto a = auction_->value()) {
      consider(*a, b, out);
      return;
    }
    early_->add(b);
    ctx.timer_service().register_event_time_timer(b.date_time);
  }
  void on_timer(std::int64_t time, on_timer_context&, sluice::collector<Out>& out) override {
    if (auto a = auction_->value()) {
      if (time < a->expires)
        return;
      if (auto b = best_->value())
        closed(*a, *b, out);
      auction_->clear();
      best_->clear();
      early_->clear();
      return;
    }
    std::vector<offer> kept;
    for (auto& b : early_->get())
      if (b.date_time > time)
        kept.push_back(std::move(b));
    early_->update(kept);
  }

protected:
  /// `b` became the best bid of `a` (previous: the one before, if any).
  virtual void improved(const auction_terms& a, const std::optional<offer>& previous,
                        const offer& b, sluice::collector<Out>& out) = 0;
  /// The watermark passed a's expiry; `b` won.
  virtual void closed(const auction_terms& a, const offer& b, sluice::collector<Out>& out) = 0;

private:
  void consider(const auction_terms& a, const offer& b, sluice::collector<Out>& out) {
    if (b.date_time < a.date_time || b.date_time > a.expires)
      return;
    auto previous = best_->value();
    if (previous && !better(b, *previous))
      return;
    best_->update(b);
    improved(a, previous, b, out);
  }

  sluice::value_state<auction_terms>* auction_ = nullptr;
  sluice::value_state<offer>* best_ = nullptr;
  sluice::list_state<offer>* early_ = nullptr;
};

/// q4's first stage: every rise of an auction's winning price.
class price_changes final : public winning_bids<price_change> {
  void improved(const auction_terms& a, const std::optional<offer>& previous, const offer& b,
                sluice::collector<price_change>& out) override {
    if (!previous || previous->price != b.price)
      out.collect(price_change{a.category, previous ? previous->price : -1, b.price,
                               b.emitted_ns});
  }
  void closed(const auction_terms&, const offer&, sluice::collector<price_change>&) override {}
};

/// q4's second stage: per category the sum and number of winning prices; a line per change.
class category_average final
    : public sluice::keyed_process_function<std::int64_t, price_change, row> {
public:
  void open(const sluice::runtime_context& ctx) override {
    totals_ = &ctx.get_state(
        sluice::value_state_descriptor<std::pair<std::int64_t, std::int64_t>>("sum and count"));
  }
  void process_element(price_change&& c, context&, sluice::collector<row>& out) override {
    auto [sum, count] = totals_->value().value_or(std::pair<std::int64_t, std::int64_t>{0, 0});
    if (c.previous < 0) {
      sum += c.price;
      ++count;
    } else {
      sum += c.price - c.previous;
    }
    totals_->update({sum, count});
    out.collect(row{csv(c.category, sum / count), c.emitted_ns});
  }

private:
  sluice::value_state<std::pair<std::int64_t, std::int64_t>>* totals_ = nullptr;
};

/// q9: the winning bid of each auction, written when the auction closes.
class closing_bids final : public winning_bids<row> {
  void improved(const auction_terms&, const std::optional<offer>&, const offer&,
                sluice::collector<row>&) override {}
  void closed(const auction_terms& a, const offer& b, sluice::collector<row>& out) override {
    out.collect(row{csv(a.id, a.seller, a.category, a.initial_bid, a.reserve, a.date_time,
                        a.expires, b.bidder, b.price, b.date_time),
                    b.emitted_ns});
  }
};

/// Auctions and bids of `events`, keyed by auction id, through `fn`.
template <class F> auto winning_bids_of(sluice::data_stream<event> events, F fn) {
  auto auctions = events.filter([](const event& e) { return e.is_auction(); }, "auctions")
                      .map(
                          [](const event& e) {
                            const auto& a = e.new_auction;
                            return auction_terms{a.id,      a.seller,    a.category, a.initial_bid,
                                                 a.reserve, a.date_time, a.expires};
                          },
                          "auction terms");
  auto bids = events.filter([](const event& e) { return e.is_bid(); }, "bids")
                  .map(
                      [](const event& e) {
                        const auto& b = e.new_bid;
                        return offer{b.auction, b.bidder, b.price, b.date_time, e.emitted_ns};
                      },
                      "offers");
  return auctions.connect(bids)
      .key_by([](const auction_terms& a) { return a.id; }, [](const offer& b) { return b.auction; })
      .process(std::move(fn), "winning bids");
}

} // namespace

sluice::data_stream<row> query_q4(sluice::data_stream<event> events) {
  return winning_bids_of(std::move(events), price_changes{})
      .key_by([](const price_change& c) { return c.category; })
      .process(category_average{}, "q4 average per category");
}

sluice::data_stream<row> query_q9(sluice::data_stream<event> events) {
  return winning_bids_of(std::move(events), closing_bids{});
}

} // namespace nexmark
