// Operators on connected streams driven directly, without actors: both inputs are fed by
// hand with timestamps and combined watermarks; the output records what reached it, each record
// with the timestamp it carried. Expected outputs by hand.

#include "sluice/operators/core/co_operators.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

using namespace sluice;

namespace {

std::string text(std::int64_t t) { return t == no_timestamp ? "-" : std::to_string(t); }

class fake_processing_time final : public processing_time_service {
public:
  std::int64_t now_ms() const override { return now; }
  void wake_at(std::int64_t time_ms) override { wake_ups.push_back(time_ms); }

  std::int64_t now = 0;
  std::vector<std::int64_t> wake_ups;
};

/// Records "record @timestamp" and "wm N" in arrival order.
template <class T>
class recording_output final : public collector<T> {
public:
  explicit recording_output(const timestamp_slot& slot) : slot_(slot) {}
  void collect(T&& value) override {
    if constexpr (std::is_same_v<T, std::string>)
      events.push_back(value + " @" + text(slot_.value));
    else
      events.push_back(std::to_string(value) + " @" + text(slot_.value));
  }
  void emit_watermark(std::int64_t wm) override { events.push_back("wm " + text(wm)); }
  using collector<T>::collect;

  std::vector<std::string> events;

private:
  const timestamp_slot& slot_;
};

using strings = std::vector<std::string>;

/// An operator with its slot, clock and outputs, opened.
template <class Op, class A, class B>
struct harness {
  template <class... Args>
  explicit harness(Args&&... args) : op(std::forward<Args>(args)...) {
    runtime_context ctx;
    ctx.operator_name = "co";
    ctx.element_time = &slot;
    ctx.processing_time = &clock;
    op.set_output(out);
    op.set_side_output("side", side);
    op.open(ctx);
  }
  void feed1(A value, std::int64_t ts = no_timestamp) {
    slot.value = ts;
    static_cast<collector<A>&>(op.input()).collect(std::move(value));
  }
  void feed2(B value, std::int64_t ts = no_timestamp) {
    slot.value = ts;
    static_cast<collector<B>&>(op.second_input()).collect(std::move(value));
  }

  timestamp_slot slot;
  fake_processing_time clock;
  recording_output<std::string> out{slot};
  recording_output<std::int64_t> side{slot};
  Op op;
};

const output_tag<std::int64_t> side_tag{"side"};

/// Describes each element with its timestamp and the watermark; sends negative numbers of the
/// second input to the side output.
class describe final : public co_process_function<std::string, std::int64_t, std::string> {
public:
  void process_element1(std::string&& v, context& ctx, collector<std::string>& out) override {
    out.collect("1:" + v + " ts=" + text(ctx.timestamp().value_or(no_timestamp)) +
                " wm=" + text(ctx.current_watermark()));
  }
  void process_element2(std::int64_t&& v, context& ctx, collector<std::string>& out) override {
    if (v < 0)
      ctx.output(side_tag, v);
    else
      out.collect("2:" + std::to_string(v) + " now=" + text(ctx.current_processing_time()));
  }
  void on_end_of_input(collector<std::string>& out) override { out.collect("end"); }
};

/// Matches orders (first input, "key:item") with payments (second input, key * 1000 + amount):
/// keeps the latest of each side per key (the same state for both inputs), emits the match
/// when both arrived, and reports a key without a match at its event-time timer (ts + 10) or
/// processing-time timer (now + 100).
struct match_state {
  std::string order;
  std::int64_t payment = -1;
};

class matcher final
    : public keyed_co_process_function<std::int64_t, std::string, std::int64_t, std::string> {
public:
  void process_element1(std::string&& v, context& ctx, collector<std::string>& out) override {
    auto& s = state_[ctx.current_key()];
    s.order = v.substr(v.find(':') + 1);
    ctx.timer_service().register_event_time_timer(*ctx.timestamp() + 10);
    check(ctx, s, out);
  }
  void process_element2(std::int64_t&& v, context& ctx, collector<std::string>& out) override {
    auto& s = state_[ctx.current_key()];
    s.payment = v % 1000;
    ctx.timer_service().register_processing_time_timer(ctx.current_processing_time() + 100);
    check(ctx, s, out);
  }
  void on_timer(std::int64_t time, on_timer_context& ctx, collector<std::string>& out) override {
    const bool event = ctx.time_domain() == time_domain::event_time;
    const auto found = state_.find(ctx.current_key());
    if (found != state_.end())
      out.collect("timeout " + std::to_string(ctx.current_key()) + (event ? " event " : " proc ") +
                  text(time));
  }

private:
  void check(context& ctx, const match_state& s, collector<std::string>& out) {
    if (s.order.empty() || s.payment < 0)
      return;
    out.collect("match " + std::to_string(ctx.current_key()) + " " + s.order + " " +
                std::to_string(s.payment));
    state_.erase(ctx.current_key());
  }
  std::map<std::int64_t, match_state> state_;
};

struct order_key {
  std::int64_t operator()(const std::string& s) const {
    return std::stoll(s.substr(0, s.find(':')));
  }
};
struct payment_key {
  std::int64_t operator()(const std::int64_t& v) const { return v / 1000; }
};

} // namespace

TEST_CASE("co_flat_map runs one function per input into one output, timestamps unchanged") {
  auto f1 = [](std::string&& s, collector<std::string>& out) { out.collect("a" + s); };
  auto f2 = [](std::int64_t&& v, collector<std::string>& out) {
    for (std::int64_t i = 0; i < v; ++i)
      out.collect("b" + std::to_string(i));
  };
  harness<co_flat_map_operator<std::string, std::int64_t, std::string, decltype(f1),
                               decltype(f2)>,
          std::string, std::int64_t>
      h(f1, f2);
  h.feed1("x", 5);
  h.feed2(2, 7);
  h.op.process_watermark(6);
  h.feed2(0);
  h.feed1("y");
  CHECK(h.out.events == strings{"ax @5", "b0 @7", "b1 @7", "wm 6", "ay @-"});
}

TEST_CASE("co_process sees timestamps, the combined watermark, the clock and side outputs") {
  harness<co_process_operator<describe>, std::string, std::int64_t> h(describe{});
  h.clock.now = 42;
  h.feed1("x", 3);
  h.op.process_watermark(4);
  h.feed1("y");
  h.feed2(7, 8);
  h.feed2(-2, 9);
  h.op.end_input();
  CHECK(h.out.events ==
        strings{"1:x ts=3 wm=- @3", "wm 4", "1:y ts=- wm=4 @-", "2:7 now=42 @8", "end @9"});
  CHECK(h.side.events == strings{"-2 @9"});
}

TEST_CASE("keyed co_process shares per-key state and timers across both inputs") {
  harness<keyed_co_process_operator<matcher, order_key, payment_key>, std::string,
          std::int64_t>
      h(matcher{}, order_key{}, payment_key{});
  h.feed1("1:apple", 100);
  h.feed2(2005, 101); // key 2: proc timer at 100
  h.feed2(1007, 102); // key 1 matches; proc timer at 100 (the same key and time: one timer)
  h.feed1("3:pear", 103);
  CHECK(h.clock.wake_ups == std::vector<std::int64_t>{100});
  h.op.process_watermark(110); // key 1's event timer at 110: no state left, nothing
  h.op.process_watermark(113); // key 3's timer at 113 fires with timestamp 113
  h.clock.now = 100;
  h.op.on_processing_time(100); // key 2's processing timer: no timestamp
  h.feed1("2:plum", 120);       // key 2 was not matched yet: matches now
  CHECK(h.out.events == strings{"match 1 apple 7 @102", "wm 110", "timeout 3 event 113 @113",
                                "wm 113", "timeout 2 proc 100 @-", "match 2 plum 5 @120"});
}
