// Joins driven at operator level: the interval join operator with both inputs fed by hand, and
// the window join / co-group function inside a window operator fed tagged elements, as the job
// API builds it. Expected outputs by hand.

#include "test_keyed_state_backend.hpp"

#include "sluice/operators/api/data_stream.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

using namespace sluice;

namespace {

std::string text(std::int64_t t) { return t == no_timestamp ? "-" : std::to_string(t); }

/// Records "record @timestamp" and "wm N" in arrival order.
class recording_output final : public collector<std::string> {
public:
  explicit recording_output(const timestamp_slot& slot) : slot_(slot) {}
  void collect(std::string&& value) override { events.push_back(value + " @" + text(slot_.value)); }
  void emit_watermark(std::int64_t wm) override { events.push_back("wm " + text(wm)); }
  using collector<std::string>::collect;

  std::vector<std::string> events;

private:
  const timestamp_slot& slot_;
};

using strings = std::vector<std::string>;
/// (key, name) records on both sides.
using rec = std::pair<std::int64_t, std::string>;

struct first_of {
  std::int64_t operator()(const rec& r) const { return r.first; }
};

struct pair_up {
  void operator()(const rec& a, const rec& b, collector<std::string>& out) const {
    out.collect(a.second + "+" + b.second);
  }
};

using interval_op = interval_join_operator<std::int64_t, rec, rec, std::string, first_of,
                                           first_of, pair_up>;

/// An opened operator with its slot and output; feeds set the slot first, as the chain does.
template <class Op>
struct harness {
  template <class... Args>
  explicit harness(std::unique_ptr<keyed_state_backend> backend_, Args&&... args)
      : backend(std::move(backend_)), op(std::forward<Args>(args)...) {
    runtime_context ctx;
    ctx.operator_name = "join";
    ctx.element_time = &slot;
    ctx.keyed_state = backend.get();
    op.set_output(out);
    op.open(ctx);
  }

  std::unique_ptr<keyed_state_backend> backend;
  timestamp_slot slot;
  recording_output out{slot};
  Op op;
};

/// The interval join of pair_up over lower <= b.ts - a.ts <= upper, on `backend`.
struct interval_harness : harness<interval_op> {
  interval_harness(std::int64_t lower, std::int64_t upper,
                   std::unique_ptr<keyed_state_backend> backend =
                       test::make_test_keyed_state_backend())
      : harness(std::move(backend), lower, upper, first_of{}, first_of{}, pair_up{}) {}
};

using tagged = tagged_union<rec, rec>;
using tagged_key = joins_detail::union_key<std::int64_t, rec, rec, first_of, first_of>;

/// The window operator of a window join or co-group with function G, as the API builds it.
template <class Assigner, class G>
class co_group_op {
  using W = window_type_t<Assigner, tagged>;
  using function = joins_detail::co_group_window_function<std::int64_t, rec, rec, std::string,
                                                          W, G>;
  using contents = list_contents<tagged, function>;

public:
  using type = window_operator<std::int64_t, tagged, tagged_key, Assigner, contents>;

  static std::unique_ptr<type> make(Assigner assigner, G fn) {
    return std::make_unique<type>(tagged_key{}, std::move(assigner),
                                  contents(function(std::move(fn))), window_settings<W>{});
  }
};

/// Lists both sides of a key's window: "[a1 a2|b1]".
struct list_sides {
  void operator()(const std::vector<rec>& first, const std::vector<rec>& second,
                  collector<std::string>& out) const {
    std::string s = "[";
    for (const auto& a : first)
      s += a.second + " ";
    s += "|";
    for (const auto& b : second)
      s += " " + b.second;
    out.collect(s + "]");
  }
};

/// Window operator test rig: feeds tagged elements of either input.
template <class Op>
struct window_rig {
  explicit window_rig(std::unique_ptr<Op> o) : op(std::move(o)) {
    runtime_context ctx;
    ctx.operator_name = "window join";
    ctx.element_time = &slot;
    ctx.keyed_state = backend.get();
    op->set_output(out);
    op->open(ctx);
  }
  void first(rec r, std::int64_t ts) {
    slot.value = ts;
    op->collect(tagged{std::move(r), std::nullopt});
  }
  void second(rec r, std::int64_t ts) {
    slot.value = ts;
    op->collect(tagged{std::nullopt, std::move(r)});
  }

  std::unique_ptr<keyed_state_backend> backend = test::make_test_keyed_state_backend();
  timestamp_slot slot;
  recording_output out{slot};
  std::unique_ptr<Op> op;
};

void feed1(harness<interval_op>& h, rec r, std::int64_t ts) {
  h.slot.value = ts;
  h.op.process_element1(std::move(r));
}
void feed2(harness<interval_op>& h, rec r, std::int64_t ts) {
  h.slot.value = ts;
  h.op.process_element2(std::move(r));
}

} // namespace

TEST_CASE("interval join matches lower <= b.ts - a.ts <= upper per key, stamped max(ts)") {
  interval_harness h(-2, 3);
  feed1(h, {1, "a10"}, 10);
  feed2(h, {1, "b7"}, 7);   // 7 - 10 = -3 < -2: no
  feed2(h, {1, "b8"}, 8);   // -2: joins a10 @10
  feed2(h, {2, "c13"}, 13); // other key
  feed2(h, {1, "b13"}, 13); // 3: joins a10 @13
  feed2(h, {1, "b14"}, 14); // 4 > 3: no
  feed1(h, {1, "a11"}, 11); // b8 (-3 no), b13 (2), b14 (3), in time order
  feed1(h, {2, "d12"}, 12); // c13 (1)
  CHECK(h.out.events == strings{"a10+b8 @10", "a10+b13 @13", "a11+b13 @13", "a11+b14 @14",
                                "d12+c13 @13"});
}

TEST_CASE("interval join bounds can be exclusive") {
  // between(-2, 3) exclusive on both ends: -1 <= b.ts - a.ts <= 2.
  interval_harness h(-1, 2);
  feed1(h, {1, "a10"}, 10);
  for (std::int64_t ts = 7; ts <= 14; ++ts)
    feed2(h, {1, "b" + std::to_string(ts)}, ts);
  CHECK(h.out.events == strings{"a10+b9 @10", "a10+b10 @10", "a10+b11 @11", "a10+b12 @12"});
}

TEST_CASE("interval join drops buffers the watermark passes and late elements") {
  interval_harness h(-2, 3);
  feed1(h, {1, "a10"}, 10); // kept until the watermark reaches 13
  feed2(h, {1, "b20"}, 20); // kept until the watermark reaches 22
  h.op.process_watermark(12);
  feed2(h, {1, "b13"}, 13); // a10 still buffered: joins
  h.op.process_watermark(13);
  feed2(h, {1, "b14"}, 14); // a10 is gone
  feed1(h, {1, "a12"}, 12); // late (12 < 13): dropped, no join with b13/b14
  feed1(h, {1, "a18"}, 18); // b20 (2)
  h.op.process_watermark(30);
  feed1(h, {1, "a30"}, 30); // every b is gone
  feed2(h, {1, "b31"}, 31); // a30 (1)
  CHECK(h.out.events == strings{"wm 12", "a10+b13 @13", "wm 13", "a18+b20 @20", "wm 30",
                                "a30+b31 @31"});
}

TEST_CASE("interval join buffers and cleanup timers survive a snapshot and restore") {
  for (const state_backend_kind kind : test::test_backend_kinds) {
    INFO(std::string(to_string(kind)));
    test::temp_dir dir;
    interval_harness before(-2, 3, test::make_test_keyed_state_backend(kind));
    feed1(before, {1, "a10"}, 10); // its cleanup timer fires at watermark 13
    auto restored = test::make_test_keyed_state_backend(kind);
    restored->restore({before.backend->snapshot(1, dir.path())});
    interval_harness after(-2, 3, std::move(restored));
    feed2(after, {1, "b12"}, 12); // 2: joins the restored a10; kept until watermark 14
    after.op.process_watermark(14);
    CHECK(after.out.events == strings{"a10+b12 @12", "wm 14"});
    CHECK(after.backend->entry_count("interval-join-left") == 0);
    CHECK(after.backend->entry_count("interval-join-right") == 0);
  }
}

TEST_CASE("metrics.late_records_dropped_by_an_interval_join") {
  // Elements on both sides, timestamps rising by 3 with one in five delayed by up to 150, and a
  // watermark (the highest timestamp so far - 40) after every seventh element. An element is
  // late, dropped and counted when the watermark is set and its timestamp is below it.
  std::mt19937_64 rnd(7);
  interval_harness h(-5, 5);
  std::int64_t expected = 0;
  std::int64_t watermark = min_watermark;
  std::int64_t max_ts = 0;
  for (std::int64_t i = 0; i < 3000; ++i) {
    const std::int64_t ts =
        1000 + 3 * i - (rnd() % 5 == 0 ? static_cast<std::int64_t>(rnd() % 150) : 0);
    max_ts = std::max(max_ts, ts);
    if (watermark != min_watermark && ts < watermark)
      ++expected;
    if (rnd() % 2 == 0)
      feed1(h, {i % 4, "a"}, ts);
    else
      feed2(h, {i % 4, "b"}, ts);
    if (i % 7 == 6) {
      watermark = max_ts - 40;
      h.op.process_watermark(watermark);
    }
  }
  REQUIRE(expected > 0);
  CHECK(h.op.context().metric_group().late_records_dropped().count() == expected);
}

TEST_CASE("interval join rejects elements without timestamps and lower > upper") {
  interval_harness h(0, 1);
  CHECK_THROWS_AS(feed1(h, {1, "a"}, no_timestamp), operator_failure);
  interval_join_builder<std::int64_t, rec, rec, first_of, first_of> b{{nullptr, {}}, {nullptr, {}},
                                                                       {}, {}};
  CHECK_THROWS_AS(b.between(2, 1), std::invalid_argument);
}

TEST_CASE("window co-group hands both sides per key and window, one side possibly empty") {
  window_rig<co_group_op<tumbling_windows, list_sides>::type> r(
      co_group_op<tumbling_windows, list_sides>::make(tumbling_windows{10}, list_sides{}));
  r.first({1, "a1"}, 1);
  r.second({1, "b3"}, 3);
  r.first({1, "a9"}, 9);
  r.second({2, "c5"}, 5);   // key 2: only the second side
  r.first({1, "a10"}, 10);  // next window
  r.second({1, "b12"}, 12);
  r.op->process_watermark(9);
  r.op->process_watermark(19);
  CHECK(r.out.events == strings{"[a1 a9 | b3] @9", "[| c5] @9", "wm 9", "[a10 | b12] @19",
                                "wm 19"});
}

TEST_CASE("window join emits every pair of a key's window, stamped with its max timestamp") {
  auto join = [](const rec& a, const rec& b) { return a.second + "+" + b.second; };
  using cross = joins_detail::cross_product<rec, rec, std::string, decltype(join)>;
  window_rig<co_group_op<sliding_windows, cross>::type> r(
      co_group_op<sliding_windows, cross>::make(sliding_windows{10, 5}, cross{join}));
  r.first({1, "a2"}, 2);   // windows [-5, 5) and [0, 10)
  r.first({1, "a6"}, 6);   // [0, 10), [5, 15)
  r.second({1, "b4"}, 4);  // [-5, 5), [0, 10)
  r.second({1, "b7"}, 7);  // [0, 10), [5, 15)
  r.second({2, "c3"}, 3);  // key 2 has no first side: no pairs
  r.op->process_watermark(20);
  CHECK(r.out.events == strings{"a2+b4 @4", "a2+b4 @9", "a2+b7 @9", "a6+b4 @9", "a6+b7 @9",
                                "a6+b7 @14", "wm 20"});
}

TEST_CASE("window co-group over session windows sees the merged session of both sides") {
  window_rig<co_group_op<session_windows, list_sides>::type> r(
      co_group_op<session_windows, list_sides>::make(session_windows{5}, list_sides{}));
  r.first({1, "a0"}, 0);    // [0, 5)
  r.second({1, "b8"}, 8);   // [8, 13)
  r.first({1, "a4"}, 4);    // [4, 9) bridges both: session [0, 13)
  r.second({1, "b20"}, 20); // [20, 25)
  r.op->process_watermark(30);
  CHECK(r.out.events == strings{"[a0 a4 | b8] @12", "[| b20] @24", "wm 30"});
}
