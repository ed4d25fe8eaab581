#include "baselines.hpp"

#include "queries.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <queue>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace nexmark {
namespace {

constexpr std::int64_t out_of_orderness = 4000;

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Calls fn(event) for generator events 0..n-1 and watermark(w) whenever the watermark
/// (newest date_time - 4 s - 1) rises, then watermark(max) at the end.
template <class OnEvent, class OnWatermark>
void replay(const generator_config& config, std::int64_t n, OnEvent on_event,
            OnWatermark on_watermark) {
  std::int64_t watermark = INT64_MIN;
  for (std::int64_t id = 0; id < n; ++id) {
    event e = generate_event(config, id);
    const std::int64_t w = e.date_time() - out_of_orderness - 1;
    on_event(std::move(e));
    if (w > watermark)
      on_watermark(watermark = w);
  }
  on_watermark(INT64_MAX);
}

void per_bid(const generator_config& config, std::int64_t n, bid_line_fn fn,
             const line_consumer& out) {
  for (std::int64_t id = 0; id < n; ++id) {
    if (kind_of(id) != event_kind::bid)
      continue;
    if (auto line = fn(generate_event(config, id).new_bid))
      out(std::move(*line));
  }
}

void q3(const generator_config& config, std::int64_t n, const line_consumer& out) {
  std::unordered_map<std::int64_t, person> sellers;
  std::unordered_map<std::int64_t, std::vector<std::int64_t>> waiting;
  for (std::int64_t id = 0; id < n; ++id) {
    event e = generate_event(config, id);
    if (e.is_person()) {
      const auto& p = e.new_person;
      if (p.state != "OR" && p.state != "ID" && p.state != "CA")
        continue;
      for (auto a : waiting[p.id])
        out(csv(p.name, p.city, p.state, a));
      waiting.erase(p.id);
      sellers[p.id] = p;
    } else if (e.is_auction() && e.new_auction.category == 10) {
      const auto s = sellers.find(e.new_auction.seller);
      if (s != sellers.end())
        out(csv(s->second.name, s->second.city, s->second.state, e.new_auction.id));
      else
        waiting[e.new_auction.seller].push_back(e.new_auction.id);
    }
  }
}

/// The winning bids of q4 and q9: on_rise(auction, previous price or -1, bid) at every better
/// bid, on_close(auction, bid) when the watermark passes expires. Generator bids never precede
/// their auction in a single ordered stream by more than the same millisecond, so bids of
/// unknown auctions are kept until the watermark passes them.
template <class OnRise, class OnClose>
void winning_bids(const generator_config& config, std::int64_t n, OnRise on_rise,
                  OnClose on_close) {
  struct open_auction {
    auction terms;
    bool has_best = false;
    bid best;
  };
  std::unordered_map<std::int64_t, open_auction> open;
  std::unordered_map<std::int64_t, std::vector<bid>> early;
  using deadline = std::pair<std::int64_t, std::int64_t>; // time, auction id
  std::priority_queue<deadline, std::vector<deadline>, std::greater<>> closes, early_ends;
  const auto consider = [&](open_auction& a, const bid& b) {
    if (b.date_time < a.terms.date_time || b.date_time > a.terms.expires)
      return;
    if (a.has_best && std::make_tuple(-b.price, b.date_time, b.bidder) >=
                          std::make_tuple(-a.best.price, a.best.date_time, a.best.bidder))
      return;
    on_rise(a.terms, a.has_best ? a.best.price : -1, b);
    a.has_best = true;
    a.best = b;
  };
  replay(
      config, n,
      [&](event&& e) {
        if (e.is_auction()) {
          auto& a = open[e.new_auction.id];
          a.terms = std::move(e.new_auction);
          closes.push({a.terms.expires, a.terms.id});
          const auto waiting = early.find(a.terms.id);
          if (waiting != early.end()) {
            for (const auto& b : waiting->second)
              consider(a, b);
            early.erase(waiting);
          }
        } else if (e.is_bid()) {
          const auto a = open.find(e.new_bid.auction);
          if (a != open.end()) {
            consider(a->second, e.new_bid);
          } else {
            early_ends.push({e.new_bid.date_time, e.new_bid.auction});
            early[e.new_bid.auction].push_back(std::move(e.new_bid));
          }
        }
      },
      [&](std::int64_t watermark) {
        while (!closes.empty() && closes.top().first <= watermark) {
          const auto a = open.find(closes.top().second);
          if (a->second.has_best)
            on_close(a->second.terms, a->second.best);
          open.erase(a);
          closes.pop();
        }
        while (!early_ends.empty() && early_ends.top().first <= watermark) {
          const auto time = early_ends.top().first;
          auto& bids = early[early_ends.top().second];
          bids.erase(std::remove_if(bids.begin(), bids.end(),
                                    [&](const bid& b) { return b.date_time <= time; }),
                     bids.end());
          if (bids.empty())
            early.erase(early_ends.top().second);
          early_ends.pop();
        }
      });
}

void q4(const generator_config& config, std::int64_t n, const line_consumer& out) {
  std::unordered_map<std::int64_t, std::pair<std::int64_t, std::int64_t>> totals;
  winning_bids(
      config, n,
      [&](const auction& a, std::int64_t previous, const bid& b) {
        if (previous == b.price)
          return;
        auto& [sum, count] = totals[a.category];
        sum += previous < 0 ? b.price : b.price - previous;
        count += previous < 0 ? 1 : 0;
        out(csv(a.category, sum / count));
      },
      [](const auction&, const bid&) {});
}

void q9(const generator_config& config, std::int64_t n, const line_consumer& out) {
  winning_bids(
      config, n, [](const auction&, std::int64_t, const bid&) {},
      [&](const auction& a, const bid& b) {
        out(csv(a.id, a.seller, a.category, a.initial_bid, a.reserve, a.date_time, a.expires,
                b.bidder, b.price, b.date_time));
      });
}

/// Windowed counts of q5 and q7, or stats of q17: per window start (ordered), per key.
template <class Value> using windows_of = std::map<std::int64_t, std::unordered_map<std::int64_t, Value>>;

void q5(const generator_config& config, std::int64_t n, const line_consumer& out) {
  windows_of<std::int64_t> counts;
  replay(
      config, n,
      [&](event&& e) {
        if (!e.is_bid())
          return;
        const auto last = window_start(e.new_bid.date_time, 2000);
        for (auto start = last; start > e.new_bid.date_time - 10000; start -= 2000)
          ++counts[start][e.new_bid.auction];
      },
      [&](std::int64_t watermark) {
        while (!counts.empty() && counts.begin()->first + 10000 - 1 <= watermark) {
          const auto start = counts.begin()->first;
          std::int64_t most = 0;
          for (const auto& [auction, num] : counts.begin()->second)
            most = std::max(most, num);
          for (const auto& [auction, num] : counts.begin()->second)
            if (num == most)
              out(csv(start, start + 10000, auction, num));
          counts.erase(counts.begin());
        }
      });
}

void q7(const generator_config& config, std::int64_t n, const line_consumer& out) {
  std::map<std::int64_t, std::vector<bid>> highest; // window start -> bids at its top price
  replay(
      config, n,
      [&](event&& e) {
        if (!e.is_bid())
          return;
        auto& best = highest[window_start(e.new_bid.date_time, 10000)];
        if (best.empty() || e.new_bid.price > best.front().price)
          best.assign(1, std::move(e.new_bid));
        else if (e.new_bid.price == best.front().price)
          best.push_back(std::move(e.new_bid));
      },
      [&](std::int64_t watermark) {
        while (!highest.empty() && highest.begin()->first + 10000 - 1 <= watermark) {
          for (const auto& b : highest.begin()->second)
            out(csv(b.auction, b.price, b.bidder, b.date_time));
          highest.erase(highest.begin());
        }
      });
}

void q8(const generator_config& config, std::int64_t n, const line_consumer& out) {
  struct person_window {
    std::string name;
    bool auctioned = false;
  };
  std::map<std::int64_t, std::unordered_map<std::int64_t, person_window>> windows;
  replay(
      config, n,
      [&](event&& e) {
        if (e.is_person()) {
          const auto start = window_start(e.new_person.date_time, 10000);
          auto& w = windows[start][e.new_person.id];
          if (w.auctioned)
            out(csv(e.new_person.id, e.new_person.name, start));
          w.name = std::move(e.new_person.name);
        } else if (e.is_auction()) {
          const auto start = window_start(e.new_auction.date_time, 10000);
          auto& w = windows[start][e.new_auction.seller];
          if (!w.auctioned && !w.name.empty())
            out(csv(e.new_auction.seller, w.name, start));
          w.auctioned = true;
        }
      },
      [&](std::int64_t watermark) {
        while (!windows.empty() && windows.begin()->first + 10000 - 1 <= watermark)
          windows.erase(windows.begin());
      });
}

void q11(const generator_config& config, std::int64_t n, const line_consumer& out) {
  struct session {
    std::int64_t start = 0, last = 0, count = 0;
  };
  std::unordered_map<std::int64_t, session> open;
  std::int64_t swept = INT64_MIN;
  const auto close_before = [&](std::int64_t watermark) {
    for (auto it = open.begin(); it != open.end();) {
      if (it->second.last + 10000 - 1 <= watermark) {
        out(csv(it->first, it->second.count, it->second.start, it->second.last + 10000));
        it = open.erase(it);
      } else {
        ++it;
      }
    }
  };
  replay(
      config, n,
      [&](event&& e) {
        if (!e.is_bid())
          return;
        auto [it, fresh] = open.try_emplace(e.new_bid.bidder);
        auto& s = it->second;
        if (!fresh && e.new_bid.date_time > s.last + 10000) { // the gap ended the session
          out(csv(it->first, s.count, s.start, s.last + 10000));
          s = session{};
          fresh = true;
        }
        if (fresh)
          s.start = e.new_bid.date_time;
        s.last = std::max(s.last, e.new_bid.date_time);
        ++s.count;
      },
      [&](std::int64_t watermark) {
        // Sessions end 10 s after their last bid: sweep once per second of event time.
        if (watermark == INT64_MAX || watermark >= swept + 1000) {
          close_before(watermark);
          swept = watermark;
        }
      });
}

/// q12: bids per bidder in 10 s tumbling windows of the wall clock (epoch ms, as the job's
/// processing time); a window is written when a bid arrives after its end, the last at the end
/// of input.
void q12(const generator_config& config, std::int64_t n, const line_consumer& out) {
  constexpr std::int64_t size = 10000;
  std::unordered_map<std::int64_t, std::int64_t> counts; // bidder -> bids in the open window
  std::int64_t open_start = 0;
  const auto close_window = [&] {
    for (const auto& [bidder, count] : counts)
      out(csv(bidder, count, open_start, open_start + size));
    counts.clear();
  };
  for (std::int64_t id = 0; id < n; ++id) {
    if (kind_of(id) != event_kind::bid)
      continue;
    const bid b = generate_event(config, id).new_bid;
    const std::int64_t start = window_start(wall_clock_ms(), size);
    if (start != open_start)
      close_window();
    open_start = start;
    ++counts[b.bidder];
  }
  close_window();
}

void q17(const generator_config& config, std::int64_t n, const line_consumer& out) {
  struct stats {
    std::int64_t total = 0, rank1 = 0, rank2 = 0, rank3 = 0, min = 0, max = 0, sum = 0;
  };
  constexpr std::int64_t day = 86400000;
  windows_of<stats> days;
  replay(
      config, n,
      [&](event&& e) {
        if (!e.is_bid())
          return;
        const auto& b = e.new_bid;
        auto& s = days[window_start(b.date_time, day)][b.auction];
        s.min = s.total == 0 ? b.price : std::min(s.min, b.price);
        s.max = s.total == 0 ? b.price : std::max(s.max, b.price);
        ++s.total;
        ++(b.price < 10000 ? s.rank1 : b.price < 1000000 ? s.rank2 : s.rank3);
        s.sum += b.price;
      },
      [&](std::int64_t watermark) {
        while (!days.empty() && days.begin()->first + day - 1 <= watermark) {
          const auto date = utc_date(days.begin()->first);
          for (const auto& [auction, s] : days.begin()->second)
            out(csv(auction, date, s.total, s.rank1, s.rank2, s.rank3, s.min, s.max,
                    s.sum / s.total, s.sum));
          days.erase(days.begin());
        }
      });
}

void q18(const generator_config& config, std::int64_t n, const line_consumer& out) {
  struct pair_hash {
    std::size_t operator()(const std::pair<std::int64_t, std::int64_t>& p) const {
      return std::hash<std::int64_t>{}(p.first * 1000003 + p.second);
    }
  };
  std::unordered_map<std::pair<std::int64_t, std::int64_t>, bid, pair_hash> latest;
  for (std::int64_t id = 0; id < n; ++id) {
    if (kind_of(id) != event_kind::bid)
      continue;
    bid b = generate_event(config, id).new_bid;
    auto [it, fresh] = latest.try_emplace({b.bidder, b.auction});
    auto& l = it->second;
    if (!fresh && std::make_tuple(l.date_time, l.price, b.channel) >=
                      std::make_tuple(b.date_time, b.price, l.channel))
      continue;
    out(csv(b.auction, b.bidder, b.price, b.channel, b.date_time));
    l = std::move(b);
  }
}

void q19(const generator_config& config, std::int64_t n, const line_consumer& out) {
  const auto before = [](const bid& a, const bid& b) {
    return std::make_tuple(-a.price, a.date_time, a.bidder, a.channel) <
           std::make_tuple(-b.price, b.date_time, b.bidder, b.channel);
  };
  std::unordered_map<std::int64_t, std::vector<bid>> tops;
  for (std::int64_t id = 0; id < n; ++id) {
    if (kind_of(id) != event_kind::bid)
      continue;
    bid b = generate_event(config, id).new_bid;
    auto& top = tops[b.auction];
    const auto at = std::upper_bound(top.begin(), top.end(), b, before);
    const auto rank = at - top.begin();
    if (rank >= 10)
      continue;
    top.insert(at, std::move(b));
    if (top.size() > 10)
      top.pop_back();
    for (auto r = rank; r < static_cast<std::ptrdiff_t>(top.size()); ++r) {
      const auto& t = top[static_cast<std::size_t>(r)];
      out(csv(t.auction, static_cast<std::int64_t>(r + 1), t.bidder, t.price, t.date_time));
    }
  }
}

void q20(const generator_config& config, std::int64_t n, const line_consumer& out) {
  std::unordered_map<std::int64_t, auction> auctions; // category 10 only
  std::unordered_map<std::int64_t, bool> seen;         // auction id -> of category 10
  std::unordered_map<std::int64_t, std::vector<bid>> waiting;
  const auto line = [&](const bid& b, const auction& a) {
    out(csv(b.auction, b.bidder, b.price, b.channel, b.url, b.date_time, a.item_name,
            a.description, a.initial_bid, a.reserve, a.date_time, a.expires, a.seller,
            a.category));
  };
  for (std::int64_t id = 0; id < n; ++id) {
    event e = generate_event(config, id);
    if (e.is_auction()) {
      const auto& a = e.new_auction;
      seen[a.id] = a.category == 10;
      if (a.category == 10)
        for (const auto& b : waiting[a.id])
          line(b, a);
      waiting.erase(a.id);
      if (a.category == 10)
        auctions[a.id] = std::move(e.new_auction);
    } else if (e.is_bid()) {
      const auto s = seen.find(e.new_bid.auction);
      if (s == seen.end())
        waiting[e.new_bid.auction].push_back(std::move(e.new_bid));
      else if (s->second)
        line(e.new_bid, auctions.at(e.new_bid.auction));
    }
  }
}

/// q15 (per day) and q16 (per channel and day): bids, distinct bidders, distinct auctions.
void distinct_counts(const generator_config& config, std::int64_t n, bool per_channel,
                     const line_consumer& out) {
  struct group_state {
    std::int64_t counts[12] = {};
    std::string minute;
    std::unordered_map<std::int64_t, int> bidders, auctions; // id -> bits of ranges seen
  };
  std::unordered_map<std::string, group_state> groups;
  for (std::int64_t id = 0; id < n; ++id) {
    if (kind_of(id) != event_kind::bid)
      continue;
    const bid b = generate_event(config, id).new_bid;
    const auto date_time = utc_date_time(b.date_time);
    std::string group =
        per_channel ? b.channel + "," + date_time.substr(0, 10) : date_time.substr(0, 10);
    auto& g = groups[group];
    const int range = price_range(b.price);
    const int bits = 1 | (1 << range);
    ++g.counts[0];
    ++g.counts[range];
    int& bidder_seen = g.bidders[b.bidder];
    int& auction_seen = g.auctions[b.auction];
    for (int bit = 0; bit < 4; ++bit) {
      g.counts[4 + bit] += (bits & ~bidder_seen) >> bit & 1;
      g.counts[8 + bit] += (bits & ~auction_seen) >> bit & 1;
    }
    bidder_seen |= bits;
    auction_seen |= bits;
    if (per_channel)
      g.minute = std::max(g.minute, date_time.substr(11, 5));
    std::string line = std::move(group);
    if (per_channel)
      line += "," + g.minute;
    for (auto c : g.counts)
      line += "," + std::to_string(c);
    out(std::move(line));
  }
}

void q15(const generator_config& config, std::int64_t n, const line_consumer& out) {
  distinct_counts(config, n, false, out);
}

void q16(const generator_config& config, std::int64_t n, const line_consumer& out) {
  distinct_counts(config, n, true, out);
}

} // namespace

bool run_baseline(const std::string& name, const generator_config& config, std::int64_t events,
                  const line_consumer& out) {
  static const std::map<std::string, bid_line_fn> per_bid_queries{
      {"q0", q0_line},   {"q1", q1_line},   {"q2", q2_line},   {"q10", q10_line},
      {"q13", q13_line}, {"q14", q14_line}, {"q21", q21_line}, {"q22", q22_line}};
  using baseline = void (*)(const generator_config&, std::int64_t, const line_consumer&);
  static const std::map<std::string, baseline> stateful{
      {"q3", q3},   {"q4", q4},   {"q5", q5},   {"q7", q7},   {"q8", q8},
      {"q9", q9},   {"q11", q11}, {"q12", q12}, {"q15", q15}, {"q16", q16},
      {"q17", q17}, {"q18", q18}, {"q19", q19}, {"q20", q20}};
  if (const auto it = per_bid_queries.find(name); it != per_bid_queries.end()) {
    per_bid(config, events, it->second, out);
    return true;
  }
  if (const auto it = stateful.find(name); it != stateful.end()) {
    it->second(config, events, out);
    return true;
  }
  return false;
}

} // namespace nexmark
