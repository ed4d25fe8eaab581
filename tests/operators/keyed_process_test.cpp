// keyed_process_operator driven directly, without actors: a scripted keyed process function
// registers and deletes timers as its input tells it; the output records what reached it,
// each record with the timestamp it carried, and the watermarks. Expected outputs by hand.

#include "sluice/operators/core/keyed_operators.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

using namespace sluice;

namespace {

/// "-" for no timestamp / the initial watermark, else the number.
std::string text(std::int64_t t) { return t == no_timestamp ? "-" : std::to_string(t); }
std::string text(const std::string& s) { return s; }

/// A processing-time service whose clock moves only when told; records wake_at calls.
class fake_processing_time final : public processing_time_service {
public:
  std::int64_t now_ms() const override { return now; }
  void wake_at(std::int64_t time_ms) override { wake_ups.push_back(time_ms); }

  std::int64_t now = 0;
  std::vector<std::int64_t> wake_ups;
};

/// Records "record @timestamp" (the slot's value at emission) and "wm N" in arrival order.
template <class T>
class recording_output final : public collector<T> {
public:
  explicit recording_output(const timestamp_slot& slot) : slot_(slot) {}
  void collect(T&& value) override { events.push_back(text(value) + " @" + text(slot_.value)); }
  void emit_watermark(std::int64_t wm) override { events.push_back("wm " + text(wm)); }
  void emit_watermark_status(bool) override {}
  using collector<T>::collect;

  std::vector<std::string> events;

private:
  const timestamp_slot& slot_;
};

enum class action { event_timer, processing_timer, delete_event_timer, delete_processing_timer,
                    side_output, unconsumed_side_output, describe };

/// One input record: what the function does for `key` (timers at `time`).
struct command {
  std::string key;
  action what;
  std::int64_t time = 0;
};

const output_tag<std::int64_t> side_tag{"side"};

/// Does what each command says; on_timer reports the timer and registers a follow-up timer
/// `step` later in the same domain while that is <= chain_until.
class scripted final : public keyed_process_function<std::string, command, std::string> {
public:
  explicit scripted(std::int64_t chain_until = 0) : chain_until_(chain_until) {}

  void process_element(command&& c, context& ctx, collector<std::string>& out) override {
    auto& timers = ctx.timer_service();
    switch (c.what) {
    case action::event_timer: timers.register_event_time_timer(c.time); break;
    case action::processing_timer: timers.register_processing_time_timer(c.time); break;
    case action::delete_event_timer: timers.delete_event_time_timer(c.time); break;
    case action::delete_processing_timer: timers.delete_processing_time_timer(c.time); break;
    case action::side_output: ctx.output(side_tag, c.time); break;
    case action::unconsumed_side_output: ctx.output(output_tag<std::int64_t>{"none"}, 0); break;
    case action::describe:
      out.collect(ctx.current_key() + " ts=" + text(ctx.timestamp().value_or(no_timestamp)) +
                  " wm=" + text(ctx.current_watermark()) +
                  " now=" + text(ctx.current_processing_time()));
      break;
    }
  }

  void on_timer(std::int64_t time, on_timer_context& ctx, collector<std::string>& out) override {
    const bool event = ctx.time_domain() == time_domain::event_time;
    out.collect(ctx.current_key() + (event ? " event " : " proc ") + text(time) +
                " ts=" + text(ctx.timestamp().value_or(no_timestamp)) +
                " wm=" + text(ctx.current_watermark()));
    if (time + step > chain_until_)
      return;
    if (event)
      ctx.timer_service().register_event_time_timer(time + step);
    else
      ctx.timer_service().register_processing_time_timer(time + step);
  }

private:
  static constexpr std::int64_t step = 10;
  std::int64_t chain_until_;
};

struct key_of {
  std::string operator()(const command& c) const { return c.key; }
};

/// The operator with its slot, clock and outputs, opened.
struct harness {
  explicit harness(scripted fn = scripted{}) : op(std::move(fn), key_of{}) {
    runtime_context ctx;
    ctx.operator_name = "keyed process";
    ctx.element_time = &slot;
    ctx.processing_time = &clock;
    op.set_output(out);
    op.set_side_output(side_tag.id, side);
    op.open(ctx);
  }
  /// Feeds one record with timestamp `ts` (as the chain does: the slot first).
  void feed(std::string key, action what, std::int64_t time = 0, std::int64_t ts = no_timestamp) {
    slot.value = ts;
    op.collect(command{std::move(key), what, time});
  }

  timestamp_slot slot;
  fake_processing_time clock;
  recording_output<std::string> out{slot};
  recording_output<std::int64_t> side{slot};
  keyed_process_operator<scripted, key_of> op;
};

using strings = std::vector<std::string>;

} // namespace

TEST_CASE("event-time timers fire in time order once the watermark passes, then it is forwarded") {
  harness h;
  h.feed("a", action::event_timer, 30, 1);
  h.feed("b", action::event_timer, 10, 2);
  h.feed("a", action::event_timer, 20, 3);
  h.feed("a", action::event_timer, 30, 4); // the same key and time: one timer
  h.feed("b", action::event_timer, 30, 5); // another key at the same time: its own timer
  h.op.process_watermark(9);
  CHECK(h.out.events == strings{"wm 9"});
  h.op.process_watermark(20);
  CHECK(h.out.events == strings{"wm 9", "b event 10 ts=10 wm=20 @10",
                                "a event 20 ts=20 wm=20 @20", "wm 20"});
  h.op.process_watermark(100);
  CHECK(h.out.events == strings{"wm 9", "b event 10 ts=10 wm=20 @10",
                                "a event 20 ts=20 wm=20 @20", "wm 20",
                                "a event 30 ts=30 wm=100 @30", "b event 30 ts=30 wm=100 @30",
                                "wm 100"});
  h.op.process_watermark(200); // nothing left to fire
  CHECK(h.out.events.back() == "wm 200");
  CHECK(h.out.events.size() == 8);
}

TEST_CASE("deleting an event-time timer affects only that key and time") {
  harness h;
  h.feed("a", action::event_timer, 10);
  h.feed("a", action::event_timer, 20);
  h.feed("b", action::event_timer, 10);
  h.feed("a", action::delete_event_timer, 10);
  h.feed("b", action::delete_event_timer, 15); // none there: no effect
  h.op.process_watermark(max_watermark);
  CHECK(h.out.events == strings{"b event 10 ts=10 wm=" + text(max_watermark) + " @10",
                                "a event 20 ts=20 wm=" + text(max_watermark) + " @20",
                                "wm " + text(max_watermark)});
}

TEST_CASE("timers registered in on_timer fire in the same pass if the watermark covers them") {
  harness h{scripted{40}};
  h.feed("k", action::event_timer, 10, 5);
  h.feed("j", action::event_timer, 25, 6);
  h.op.process_watermark(35);
  // k: 10 -> 20 -> 30 -> 40 (not yet due); j: 25 -> 35 (45 is past chain_until)
  CHECK(h.out.events == strings{"k event 10 ts=10 wm=35 @10", "k event 20 ts=20 wm=35 @20",
                                "j event 25 ts=25 wm=35 @25", "k event 30 ts=30 wm=35 @30",
                                "j event 35 ts=35 wm=35 @35", "wm 35"});
  h.op.process_watermark(50);
  CHECK(h.out.events.size() == 8);
  CHECK(h.out.events[6] == "k event 40 ts=40 wm=50 @40");
  CHECK(h.out.events[7] == "wm 50");
}

TEST_CASE("processing-time timers fire from the clock and ask for wake-ups") {
  harness h;
  h.feed("a", action::processing_timer, 100, 7);
  h.feed("b", action::processing_timer, 50, 8);
  h.feed("a", action::processing_timer, 100, 9); // duplicate: no new timer, no new wake-up
  h.feed("c", action::processing_timer, 70);     // a wake-up at 50 comes first anyway
  h.feed("c", action::delete_processing_timer, 70);
  CHECK(h.clock.wake_ups == std::vector<std::int64_t>{100, 50});

  h.op.on_processing_time(60);
  CHECK(h.out.events == strings{"b proc 50 ts=50 wm=- @-"});
  CHECK(h.clock.wake_ups == std::vector<std::int64_t>{100, 50}); // 100 is still pending
  h.op.on_processing_time(99); // c's deleted timer at 70 does not fire
  CHECK(h.out.events.size() == 1);
  h.op.on_processing_time(100);
  CHECK(h.out.events == strings{"b proc 50 ts=50 wm=- @-", "a proc 100 ts=100 wm=- @-"});
  CHECK(h.clock.wake_ups.size() == 2); // nothing left to wake for

  h.op.process_watermark(max_watermark); // event time does not fire processing-time timers
  h.op.on_processing_time(1000);
  CHECK(h.out.events.size() == 3);
}

TEST_CASE("processing-time timers registered in on_timer fire when due or get a wake-up") {
  harness h{scripted{30}};
  h.feed("a", action::processing_timer, 10);
  h.op.on_processing_time(25); // 10 registers 20 (due now), 20 registers 30 (a wake-up)
  CHECK(h.out.events == strings{"a proc 10 ts=10 wm=- @-", "a proc 20 ts=20 wm=- @-"});
  CHECK(h.clock.wake_ups == std::vector<std::int64_t>{10, 30});
  h.op.on_processing_time(30);
  CHECK(h.out.events.back() == "a proc 30 ts=30 wm=- @-");
  CHECK(h.out.events.size() == 3);
  CHECK(h.clock.wake_ups.size() == 2);
}

TEST_CASE("the context shows the element's timestamp, the watermark and processing time") {
  harness h;
  h.clock.now = 1234;
  h.feed("a", action::describe, 0, 17);
  h.op.process_watermark(15);
  h.feed("b", action::describe);
  CHECK(h.out.events == strings{"a ts=17 wm=- now=1234 @17", "wm 15", "b ts=- wm=15 now=1234 @-"});
}

TEST_CASE("side outputs go to the tag's consumer with the element's timestamp") {
  harness h;
  h.feed("a", action::side_output, 5, 40);
  h.feed("a", action::unconsumed_side_output, 0, 41); // nobody consumes it: dropped
  h.feed("b", action::side_output, 7);
  CHECK(h.side.events == strings{"5 @40", "7 @-"});
  CHECK(h.out.events.empty());
}
