// Watermark alignment without actors: which channels a subtask holds as watermarks arrive.

#include "sluice/actors/input_gate.hpp"
#include "sluice/actors/input_watermarks.hpp"
#include "sluice/actors/watermark_alignment.hpp"
#include "sluice/operators/time/watermark.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace sluice;

namespace {

/// A subtask's input side of `inputs` channels (each channel_peer's input index) with
/// alignment at `drift` ms; events go through the watermarks, then the alignment.
struct input_side {
  input_side(std::vector<int> inputs, std::int64_t drift)
      : gate(static_cast<int>(inputs.size()), 2, 0, [](int, int) {}, counters),
        watermarks(peers(inputs)), alignment(drift) {}

  static std::vector<channel_peer> peers(const std::vector<int>& inputs) {
    std::vector<channel_peer> out;
    for (int input : inputs) {
      channel_peer p;
      p.input = input;
      out.push_back(p);
    }
    return out;
  }
  void watermark(int ch, std::int64_t wm) {
    watermarks.on_watermark(ch, wm);
    alignment.update(watermarks, gate);
  }
  void idle(int ch) {
    watermarks.on_idle(ch);
    alignment.update(watermarks, gate);
  }
  void end(int ch) {
    gate.on_event(ch, event_kind::end_of_input, 0);
    while (gate.has_input())
      gate.next();
    watermarks.on_end_of_input(ch);
    alignment.update(watermarks, gate);
  }

  subtask_counters counters;
  input_gate gate;
  input_watermarks watermarks;
  watermark_alignment alignment;
};

} // namespace

TEST_CASE("watermark alignment holds a channel more than the drift ahead until the rest catch up") {
  input_side in({0, 0, 0}, 100);
  in.watermark(0, 1000);
  in.watermark(1, 5000);
  CHECK(in.alignment.held().empty()); // channel 2 has sent none: no input watermark yet
  in.watermark(2, 1050);
  CHECK(in.watermarks.current() == 1000);
  // Now there is an input watermark: channel 1 is 4000 ahead of it.
  CHECK(in.alignment.held() == std::vector<int>{1});
  CHECK(in.gate.is_held(1));
  CHECK_FALSE(in.gate.is_held(0));
  CHECK_FALSE(in.gate.is_held(2));
  // Exactly the drift ahead is not too far.
  in.watermark(0, 4901);
  in.watermark(2, 4901);
  CHECK(in.watermarks.current() == 4901);
  CHECK_FALSE(in.gate.is_held(1));
  CHECK(in.alignment.held().empty());
  // Channel 2 jumps ahead: held at once.
  in.watermark(2, 5200);
  CHECK(in.alignment.held() == std::vector<int>{2});
}

TEST_CASE("watermark alignment never holds the channel at the input watermark, an idle or an "
          "ended one") {
  input_side in({0, 0}, 10);
  in.watermark(0, 100);
  in.watermark(1, 501);
  CHECK(in.alignment.held() == std::vector<int>{1});
  CHECK_FALSE(in.gate.is_held(0));
  // The slow channel goes idle: the input watermark jumps to 501 and channel 1 is released.
  in.idle(0);
  CHECK(in.watermarks.current() == 501);
  CHECK(in.alignment.held().empty());
  // An ended channel sits at max_watermark and is never held.
  input_side ended({0, 0}, 10);
  ended.watermark(0, 100);
  ended.watermark(1, 100);
  ended.end(1);
  CHECK(ended.watermarks.channel_watermark(1) == max_watermark);
  CHECK(ended.alignment.held().empty());
  CHECK_FALSE(ended.gate.is_held(1));
}

TEST_CASE("watermark alignment of a two-input subtask compares with the combined watermark") {
  input_side in({0, 1}, 50);
  in.watermark(0, 1000);
  in.watermark(1, 2001); // input 1 is 1001 ahead of the combined 1000
  CHECK(in.alignment.held() == std::vector<int>{1});
  in.watermark(0, 1960);
  CHECK(in.watermarks.current() == 1960);
  CHECK(in.alignment.held().empty());
}

TEST_CASE("watermark alignment refuses a drift that is not positive") {
  CHECK_THROWS_AS(watermark_alignment(0), std::invalid_argument);
}
