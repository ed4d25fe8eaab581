// The windowed queries over bids: q5 (hot items), q7 (highest bid), q11 (user sessions) and
// q17 (auction statistics per day).

#include "queries.hpp"

#include <algorithm>
#include <utility>

namespace nexmark {
namespace {

struct bid_fact {
  std::int64_t auction = 0;
  std::int64_t bidder = 0;
  std::int64_t price = 0;
  std::int64_t date_time = 0;
  std::int64_t emitted_ns = 0;
  SLUICE_FIELDS(auction, bidder, price, date_time, emitted_ns)
};

sluice::data_stream<bid_fact> bid_facts(sluice::data_stream<event> events) {
  return events.filter([](const event& e) { return e.is_bid(); }, "bids")
      .map(
          [](const event& e) {
            const auto& b = e.new_bid;
            return bid_fact{b.auction, b.bidder, b.price, b.date_time, e.emitted_ns};
          },
          "bid facts");
}

/// Counts bids, keeping the newest emission time.
struct count_bids {
  using count = std::pair<std::int64_t, std::int64_t>; // bids, emitted_ns
  count create_accumulator() const { return {0, 0}; }
  count add(const bid_fact& b, count c) const {
    return {c.first + 1, std::max(c.second, b.emitted_ns)};
  }
  count merge(count a, count b) const {
    return {a.first + b.first, std::max(a.second, b.second)};
  }
  count get_result(count c) const { return c; }
};

constexpr std::int64_t q5_size = 10000, q5_slide = 2000;

struct auction_count {
  std::int64_t window_start = 0;
  std::int64_t window_end = 0;
  std::int64_t auction = 0;
  std::int64_t num = 0;
  std::int64_t emitted_ns = 0;
  SLUICE_FIELDS(window_start, window_end, auction, num, emitted_ns)
};

class auction_counts final : public sluice::process_window_function<std::int64_t, count_bids::count,
                                                                      auction_count> {
public:
  void process(const context& ctx, const std::vector<count_bids::count>& counts,
               sluice::collector<auction_count>& out) override {
    for (const auto& [num, emitted] : counts)
      out.collect(auction_count{ctx.window().start, ctx.window().end, ctx.key(), num, emitted});
  }
};

/// q5's second stage: per window, the auctions with the most bids, written when it ends.
class hottest_auctions final
    : public sluice::keyed_process_function<std::int64_t, auction_count, row> {
public:
  void open(const sluice::runtime_context& ctx) override {
    best_ = &ctx.get_state(sluice::list_state_descriptor<auction_count>("hottest"));
  }
  void process_element(auction_count&& c, context& ctx, sluice::collector<row>&) override {
    auto best = best_->get();
    if (best.empty())
      ctx.timer_service().register_event_time_timer(c.window_end - 1);
    if (best.empty() || c.num > best.front().num)
      best_->update({c});
    else if (c.num == best.front().num)
      best_->add(c);
  }
  void on_timer(std::int64_t, on_timer_context&, sluice::collector<row>& out) override {
    for (const auto& c : best_->get())
      out.collect(row{csv(c.window_start, c.window_end, c.auction, c.num), c.emitted_ns});
    best_->clear();
  }

private:
  sluice::list_state<auction_count>* best_ = nullptr;
};

constexpr std::int64_t q7_size = 10000;

/// q7: per 10 s window (the key: its start), the bids at the highest price so far; written
/// when the window ends.
class highest_bids final : public sluice::keyed_process_function<std::int64_t, bid_fact, row> {
public:
  void open(const sluice::runtime_context& ctx) override {
    best_ = &ctx.get_state(sluice::list_state_descriptor<bid_fact>("highest bids"));
  }
  void process_element(bid_fact&& b, context& ctx, sluice::collector<row>&) override {
    auto best = best_->get();
    if (best.empty())
      ctx.timer_service().register_event_time_timer(ctx.current_key() + q7_size - 1);
    if (best.empty() || b.price > best.front().price)
      best_->update({b});
    else if (b.price == best.front().price)
      best_->add(b);
  }
  void on_timer(std::int64_t, on_timer_context&, sluice::collector<row>& out) override {
    for (const auto& b : best_->get())
      out.collect(row{csv(b.auction, b.price, b.bidder, b.date_time), b.emitted_ns});
    best_->clear();
  }

private:
  sluice::list_state<bid_fact>* best_ = nullptr;
};

constexpr std::int64_t q11_gap = 10000;

class bidder_sessions final
    : public sluice::process_window_function<std::int64_t, count_bids::count, row> {
public:
  void process(const context& ctx, const std::vector<count_bids::count>& counts,
               sluice::collector<row>& out) override {
    for (const auto& [num, emitted] : counts)
      out.collect(row{csv(ctx.key(), num, ctx.window().start, ctx.window().end), emitted});
  }
};

constexpr std::int64_t day_ms = 86400000;

/// q17's figures of one auction and day.
struct day_stats {
  std::int64_t total = 0;
  std::int64_t rank1 = 0; ///< price < 10,000
  std::int64_t rank2 = 0; ///< 10,000 <= price < 1,000,000
  std::int64_t rank3 = 0; ///< price >= 1,000,000
  std::int64_t min = 0;
  std::int64_t max = 0;
  std::int64_t sum = 0;
  std::int64_t emitted_ns = 0;
  SLUICE_FIELDS(total, rank1, rank2, rank3, min, max, sum, emitted_ns)
};

struct collect_day_stats {
  day_stats create_accumulator() const { return {}; }
  day_stats add(const bid_fact& b, day_stats s) const {
    s.min = s.total == 0 ? b.price : std::min(s.min, b.price);
    s.max = s.total == 0 ? b.price : std::max(s.max, b.price);
    ++s.total;
    (b.price < 10000 ? s.rank1 : b.price < 1000000 ? s.rank2 : s.rank3) += 1;
    s.sum += b.price;
    s.emitted_ns = std::max(s.emitted_ns, b.emitted_ns);
    return s;
  }
  day_stats merge(day_stats a, const day_stats& b) const {
    a.min = std::min(a.min, b.min);
    a.max = std::max(a.max, b.max);
    a.total += b.total;
    a.rank1 += b.rank1;
    a.rank2 += b.rank2;
    a.rank3 += b.rank3;
    a.sum += b.sum;
    a.emitted_ns = std::max(a.emitted_ns, b.emitted_ns);
    return a;
  }
  day_stats get_result(day_stats s) const { return s; }
};

class auction_days final
    : public sluice::process_window_function<std::int64_t, day_stats, row> {
public:
  void process(const context& ctx, const std::vector<day_stats>& stats,
               sluice::collector<row>& out) override {
    for (const auto& s : stats)
      out.collect(row{csv(ctx.key(), utc_date(ctx.window().start), s.total, s.rank1, s.rank2,
                          s.rank3, s.min, s.max, s.sum / s.total, s.sum),
                      s.emitted_ns});
  }
};

} // namespace


sluice::data_stream<row> query_q5(sluice::data_stream<event> events) {
  return bid_facts(std::move(events))
      .key_by([](const bid_fact& b) { return b.auction; })
      .window(sluice::sliding_windows{q5_size, q5_slide})
      .aggregate(count_bids{}, auction_counts{}, "bids per auction and window")
      .key_by([](const auction_count& c) { return c.window_start; })
      .process(hottest_auctions{}, "q5 hottest auctions");
}

sluice::data_stream<row> query_q7(sluice::data_stream<event> events) {
  return bid_facts(std::move(events))
      .key_by([](const bid_fact& b) { return window_start(b.date_time, q7_size); })
      .process(highest_bids{}, "q7 highest bids");
}

sluice::data_stream<row> query_q11(sluice::data_stream<event> events) {
  return bid_facts(std::move(events))
      .key_by([](const bid_fact& b) { return b.bidder; })
      .window(sluice::session_windows{q11_gap})
      .aggregate(count_bids{}, bidder_sessions{}, "q11 sessions");
}

sluice::data_stream<row> query_q17(sluice::data_stream<event> events) {
  return bid_facts(std::move(events))
      .key_by([](const bid_fact& b) { return b.auction; })
      .window(sluice::tumbling_windows{day_ms})
      .aggregate(collect_day_stats{}, auction_days{}, "q17 auction days");
}

} // namespace nexmark
