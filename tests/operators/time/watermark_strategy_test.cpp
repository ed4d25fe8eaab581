#include "sluice/operators/time/watermark_strategy.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

using namespace sluice;
using namespace std::chrono_literals;

namespace {

struct event {
  std::string key;
  std::int64_t ts;
};

/// Keeps the emitted watermarks and statuses.
struct recording_output final : watermark_output {
  std::vector<std::int64_t> watermarks;
  int idles = 0;
  int actives = 0;
  void emit_watermark(std::int64_t wm) override { watermarks.push_back(wm); }
  void mark_idle() override { ++idles; }
  void mark_active() override { ++actives; }
};

/// A punctuated generator: a watermark right at every timestamp that is a multiple of 1000.
class every_second_generator final : public watermark_generator {
public:
  void on_event(std::int64_t ts, watermark_output& out) override {
    if (ts % 1000 == 0)
      out.emit_watermark(ts);
  }
  void on_periodic_emit(watermark_output&) override {}
};

} // namespace

TEST_CASE("strategy: bounded out-of-orderness with a timestamp assigner") {
  auto strategy = watermark_strategy<event>::for_bounded_out_of_orderness(500ms)
                      .with_timestamp_assigner([](const event& e, std::int64_t) { return e.ts; });
  auto g = strategy.create_generator();
  recording_output out;
  for (const event& e : {event{"a", 1000}, event{"b", 3000}, event{"a", 2000}})
    g->on_event(strategy.extract_timestamp(e, min_watermark), out);
  g->on_periodic_emit(out);
  CHECK(out.watermarks == std::vector<std::int64_t>{2499});

  // Every subtask gets its own generator.
  auto other = strategy.create_generator();
  other->on_periodic_emit(out);
  CHECK(out.watermarks.back() == min_watermark);
}

TEST_CASE("strategy: without an assigner the previous timestamp is kept, copies are values") {
  auto plain = watermark_strategy<event>::for_monotonous_timestamps();
  auto assigned = plain.with_timestamp_assigner(
      [](const event& e, std::int64_t previous) { return e.ts + previous; });
  event e{"k", 40};
  CHECK(plain.extract_timestamp(e, 7) == 7);
  CHECK(assigned.extract_timestamp(e, 7) == 47);

  auto g = plain.create_generator();
  recording_output out;
  g->on_event(100, out);
  g->on_periodic_emit(out);
  CHECK(out.watermarks == std::vector<std::int64_t>{99});
}

TEST_CASE("strategy: custom punctuated generator") {
  auto strategy = watermark_strategy<event>::for_generator(
      [] { return std::make_unique<every_second_generator>(); });
  auto g = strategy.create_generator();
  recording_output out;
  for (std::int64_t ts : {999, 1000, 1500, 3000})
    g->on_event(ts, out);
  g->on_periodic_emit(out);
  CHECK(out.watermarks == std::vector<std::int64_t>{1000, 3000});
}

TEST_CASE("strategy: with idleness on an injected clock") {
  auto time = std::make_shared<manual_clock>(0);
  auto base = watermark_strategy<event>::for_bounded_out_of_orderness(10ms);
  auto idle = base.with_idleness(50ms, time);
  auto g = idle.create_generator();
  recording_output out;
  g->on_event(100, out);
  g->on_periodic_emit(out); // activity
  g->on_periodic_emit(out); // countdown starts at 0
  time->set(51);
  g->on_periodic_emit(out); // 51 > 50: idle
  CHECK(out.watermarks == std::vector<std::int64_t>{89, 89});
  CHECK(out.idles == 1);
  g->on_event(200, out);
  CHECK(out.actives == 1);
  g->on_periodic_emit(out);
  CHECK(out.watermarks.back() == 189);

  // The strategy it was derived from has no idleness.
  auto plain = base.create_generator();
  recording_output plain_out;
  for (int i = 0; i < 3; ++i) {
    time->advance(1000);
    plain->on_periodic_emit(plain_out);
  }
  CHECK(plain_out.idles == 0);
}

TEST_CASE("strategy: invalid arguments") {
  using strategy = watermark_strategy<event>;
  CHECK_THROWS_AS(strategy::for_bounded_out_of_orderness(-1ms), std::invalid_argument);
  CHECK_THROWS_AS(strategy::for_generator(nullptr), std::invalid_argument);
  CHECK_THROWS_AS(strategy::for_monotonous_timestamps().with_idleness(0ms),
                  std::invalid_argument);
}
