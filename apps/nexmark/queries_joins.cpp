// The regular and windowed joins: q3 (local item suggestion) and q8 (new users in a window) of
// persons and auctions, q20 (bids with their auction's details) of bids and auctions.

#include "queries.hpp"

#include <utility>

namespace nexmark {
namespace {

struct seller {
  std::int64_t id = 0;
  std::string name;
  std::string city;
  std::string state;
  std::int64_t emitted_ns = 0;
  SLUICE_FIELDS(id, name, city, state, emitted_ns)
};

struct auction_of_seller {
  std::int64_t id = 0;
  std::int64_t seller = 0;
  std::int64_t emitted_ns = 0;
  SLUICE_FIELDS(id, seller, emitted_ns)
};

/// q3: per seller id, the seller once it came and the ids of its auctions that came before it;
/// every auction is written once, when both sides are there (a regular join).
class q3_join final
    : public sluice::keyed_co_process_function<std::int64_t, seller, auction_of_seller, row> {
public:
  void open(const sluice::runtime_context& ctx) override {
    seller_ = &ctx.get_state(sluice::value_state_descriptor<seller>("seller"));
    waiting_ = &ctx.get_state(sluice::list_state_descriptor<std::int64_t>("waiting auctions"));
  }
  void process_element1(seller&& s, context&, sluice::collector<row>& out) override {
    for (const auto id : waiting_->get())
      out.collect(row{csv(s.name, s.city, s.state, id), s.emitted_ns});
    waiting_->clear();
    seller_->update(s);
  }
  void process_element2(auction_of_seller&& a, context&, sluice::collector<row>& out) override {
    if (auto s = seller_->value())
      out.collect(row{csv(s->name, s->city, s->state, a.id), a.emitted_ns});
    else
      waiting_->add(a.id);
  }

private:
  sluice::value_state<seller>* seller_ = nullptr;
  sluice::list_state<std::int64_t>* waiting_ = nullptr;
};

constexpr std::int64_t q8_window = 10000;
using person_window = std::pair<std::int64_t, std::int64_t>; // person id, window start

struct new_person {
  person_window key;
  std::string name;
  std::int64_t emitted_ns = 0;
  SLUICE_FIELDS(key, name, emitted_ns)
};

struct new_auction {
  person_window key; // seller, window start
  std::int64_t emitted_ns = 0;
  SLUICE_FIELDS(key, emitted_ns)
};

/// q8: per (person, window), the person's name and whether an auction of theirs came; written
/// once both are known, forgotten when the window ends.
class q8_join final
    : public sluice::keyed_co_process_function<person_window, new_person, new_auction, row> {
public:
  void open(const sluice::runtime_context& ctx) override {
    name_ = &ctx.get_state(sluice::value_state_descriptor<std::string>("name"));
    auctioned_ = &ctx.get_state(sluice::value_state_descriptor<bool>("auctioned"));
  }
  void process_element1(new_person&& p, context& ctx, sluice::collector<row>& out) override {
    if (auctioned_->value().value_or(false))
      out.collect(row{csv(p.key.first, p.name, p.key.second), p.emitted_ns});
    name_->update(p.name);
    ctx.timer_service().register_event_time_timer(p.key.second + q8_window - 1);
  }
  void process_element2(new_auction&& a, context& ctx, sluice::collector<row>& out) override {
    if (auctioned_->value().value_or(false))
      return;
    if (auto name = name_->value())
      out.collect(row{csv(a.key.first, *name, a.key.second), a.emitted_ns});
    auctioned_->update(true);
    ctx.timer_service().register_event_time_timer(a.key.second + q8_window - 1);
  }
  void on_timer(std::int64_t, on_timer_context&, sluice::collector<row>&) override {
    name_->clear();
    auctioned_->clear();
  }

private:
  sluice::value_state<std::string>* name_ = nullptr;
  sluice::value_state<bool>* auctioned_ = nullptr;
};

/// q20: per auction id, the auction (if of category 10) and the bids that came before it; each
/// bid of a category-10 auction written once, with the auction's fields.
class q20_join final : public sluice::keyed_co_process_function<std::int64_t, auction, bid, row> {
public:
  void open(const sluice::runtime_context& ctx) override {
    auction_ = &ctx.get_state(sluice::value_state_descriptor<auction>("auction"));
    waiting_ = &ctx.get_state(sluice::list_state_descriptor<bid>("waiting bids"));
  }
  void process_element1(auction&& a, context&, sluice::collector<row>& out) override {
    a.extra.clear();
    if (a.category == 10)
      for (const auto& b : waiting_->get())
        out.collect(row{line(b, a), 0});
    waiting_->clear();
    auction_->update(a);
  }
  void process_element2(bid&& b, context&, sluice::collector<row>& out) override {
    if (auto a = auction_->value()) {
      if (a->category == 10)
        out.collect(row{line(b, *a), 0});
      return;
    }
    b.extra.clear();
    waiting_->add(b);
  }

private:
  static std::string line(const bid& b, const auction& a) {
    return csv(b.auction, b.bidder, b.price, b.channel, b.url, b.date_time, a.item_name,
               a.description, a.initial_bid, a.reserve, a.date_time, a.expires, a.seller,
               a.category);
  }
  sluice::value_state<auction>* auction_ = nullptr;
  sluice::list_state<bid>* waiting_ = nullptr;
};

} // namespace

sluice::data_stream<row> query_q20(sluice::data_stream<event> events) {
  auto auctions = events.filter([](const event& e) { return e.is_auction(); }, "auctions")
                      .map([](event&& e) { return std::move(e.new_auction); }, "auction records");
  auto bids = events.filter([](const event& e) { return e.is_bid(); }, "bids")
                  .map([](event&& e) { return std::move(e.new_bid); }, "bid records");
  return auctions.connect(bids)
      .key_by([](const auction& a) { return a.id; }, [](const bid& b) { return b.auction; })
      .process(q20_join{}, "q20 join");
}

sluice::data_stream<row> query_q3(sluice::data_stream<event> events) {
  auto sellers =
      events
          .filter(
              [](const event& e) {
                const auto& s = e.new_person.state;
                return e.is_person() && (s == "OR" || s == "ID" || s == "CA");
              },
              "persons in OR, ID, CA")
          .map(
              [](event&& e) {
                auto& p = e.new_person;
                return seller{p.id, std::move(p.name), std::move(p.city), std::move(p.state),
                              e.emitted_ns};
              },
              "sellers");
  auto auctions = events
                      .filter([](const event& e) {
                        return e.is_auction() && e.new_auction.category == 10;
                      }, "auctions of category 10")
                      .map(
                          [](const event& e) {
                            return auction_of_seller{e.new_auction.id, e.new_auction.seller,
                                                     e.emitted_ns};
                          },
                          "auction sellers");
  return sellers.connect(auctions)
      .key_by([](const seller& s) { return s.id; },
              [](const auction_of_seller& a) { return a.seller; })
      .process(q3_join{}, "q3 join");
}

sluice::data_stream<row> query_q8(sluice::data_stream<event> events) {
  auto persons =
      events.filter([](const event& e) { return e.is_person(); }, "persons")
          .map(
              [](event&& e) {
                auto& p = e.new_person;
                return new_person{{p.id, window_start(p.date_time, q8_window)},
                                  std::move(p.name), e.emitted_ns};
              },
              "persons per window");
  auto auctions =
      events.filter([](const event& e) { return e.is_auction(); }, "auctions")
          .map(
              [](const event& e) {
                const auto& a = e.new_auction;
                return new_auction{{a.seller, window_start(a.date_time, q8_window)},
                                   e.emitted_ns};
              },
              "auctions per window");
  return persons.connect(auctions)
      .key_by([](const new_person& p) { return p.key; }, [](const new_auction& a) { return a.key; })
      .process(q8_join{}, "q8 join");
}

} // namespace nexmark
