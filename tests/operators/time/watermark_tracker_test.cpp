#include "sluice/operators/time/watermark_tracker.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <stdexcept>
#include <vector>

using namespace sluice;

namespace {

using opt = std::optional<std::int64_t>;

/// Brute-force model of the tracker: on a watermark, or when the channel at the output goes
/// idle, the output is recomputed from all channel states. It keeps no alignment flags: a
/// channel counts iff it is active and at or above the output (an active channel below the
/// output is one that rejoined behind and has not caught up).
class reference_tracker {
public:
  explicit reference_tracker(int n) : wm_(static_cast<std::size_t>(n), min_watermark),
                                      idle_(static_cast<std::size_t>(n), false) {}

  opt watermark(int c, std::int64_t w) {
    auto i = static_cast<std::size_t>(c);
    if (idle_[i] || w <= wm_[i])
      return std::nullopt; // ignored
    wm_[i] = w;
    return advance(min_of_counted());
  }
  opt idle(int c) {
    auto i = static_cast<std::size_t>(c);
    if (idle_[i])
      return std::nullopt;
    idle_[i] = true;
    bool held_minimum = wm_[i] == out_;
    if (!held_minimum) // as in Flink, only the channel at the output triggers a recomputation
      return std::nullopt;
    if (all_idle()) // flush: the maximum over every channel
      return advance(*std::max_element(wm_.begin(), wm_.end()));
    return advance(min_of_counted());
  }
  void active(int c) { idle_[static_cast<std::size_t>(c)] = false; }
  std::int64_t out() const { return out_; }
  bool all_idle() const { return std::all_of(idle_.begin(), idle_.end(), [](bool b) { return b; }); }

private:
  std::optional<std::int64_t> min_of_counted() const {
    std::optional<std::int64_t> m;
    for (std::size_t i = 0; i < wm_.size(); ++i)
      if (!idle_[i] && wm_[i] >= out_)
        m = m ? std::min(*m, wm_[i]) : wm_[i];
    return m;
  }
  opt advance(std::optional<std::int64_t> candidate) {
    if (!candidate || *candidate <= out_)
      return std::nullopt;
    out_ = *candidate;
    return out_;
  }

  std::vector<std::int64_t> wm_;
  std::vector<bool> idle_;
  std::int64_t out_ = min_watermark;
};

} // namespace

TEST_CASE("tracker: minimum across 3 channels, advancing only when the minimum rises") {
  watermark_tracker t(3);
  CHECK(t.current() == min_watermark);
  CHECK(t.on_watermark(0, 100) == opt{});
  CHECK(t.on_watermark(1, 50) == opt{});
  CHECK(t.on_watermark(2, 70) == opt{50});
  CHECK(t.on_watermark(1, 80) == opt{70});
  CHECK(t.on_watermark(2, 90) == opt{80});
  CHECK(t.on_watermark(0, 150) == opt{}); // min(150, 80, 90) = 80: unchanged
  CHECK(t.on_watermark(0, 60) == opt{});  // below channel 0's last: ignored
  CHECK(t.channel_watermark(0) == 150);
  CHECK(t.on_watermark(1, 200) == opt{90});
  CHECK(t.current() == 90);
  CHECK_FALSE(t.idle());
}

TEST_CASE("tracker: an idle channel does not hold the minimum back") {
  watermark_tracker t(3);
  t.on_watermark(0, 10);
  t.on_watermark(1, 20);
  CHECK(t.on_watermark(2, 30) == opt{10});
  CHECK(t.on_idle(0) == opt{20});  // it held the minimum: min(20, 30)
  CHECK(t.on_idle(2) == opt{});    // 30 was not the minimum
  CHECK(t.on_watermark(1, 40) == opt{40}); // channel 1 alone
  CHECK(t.on_watermark(2, 99) == opt{}); // on an idle channel: ignored
  CHECK(t.channel_watermark(2) == 30);
  CHECK_FALSE(t.idle());
}

TEST_CASE("tracker: all channels idle, then a channel rejoins behind") {
  watermark_tracker t(2);
  t.on_watermark(0, 10);
  CHECK(t.on_watermark(1, 30) == opt{10});
  CHECK(t.on_idle(1) == opt{});
  CHECK_FALSE(t.idle());
  CHECK(t.on_idle(0) == opt{30}); // all idle: flushed to the maximum
  CHECK(t.idle());
  CHECK(t.on_watermark(0, 50) == opt{}); // idle channel: ignored
  t.on_active(0);                        // at 10 < 30: not aligned
  CHECK_FALSE(t.idle());
  CHECK_FALSE(t.channel_aligned(0));
  CHECK(t.on_watermark(0, 20) == opt{}); // still behind: no regression
  CHECK(t.current() == 30);
  CHECK(t.on_watermark(0, 35) == opt{35}); // caught up; channel 1 is still idle
  CHECK(t.channel_aligned(0));
}

TEST_CASE("tracker: a channel rejoining behind does not hold back the others") {
  watermark_tracker t(2);
  t.on_watermark(0, 100);
  CHECK(t.on_watermark(1, 100) == opt{100});
  CHECK(t.on_idle(1) == opt{}); // min over {channel 0: 100} is not higher
  CHECK(t.on_watermark(0, 200) == opt{200});
  t.on_active(1); // at 100 < 200
  CHECK(t.on_watermark(0, 300) == opt{300});
  CHECK(t.on_watermark(1, 250) == opt{});
  CHECK(t.on_watermark(1, 310) == opt{}); // aligned again; min(300, 310) = 300
  CHECK(t.on_watermark(0, 400) == opt{310});
}

TEST_CASE("tracker: end of input is the maximum watermark") {
  watermark_tracker t(2);
  t.on_watermark(0, 10);
  CHECK(t.on_watermark(1, 20) == opt{10});
  CHECK(t.on_end_of_input(0) == opt{20});
  CHECK(t.on_end_of_input(1) == opt{max_watermark});

  watermark_tracker u(2);
  u.on_idle(0);
  CHECK(u.on_watermark(1, 5) == opt{5});
  CHECK(u.on_end_of_input(0) == opt{}); // an idle channel ends: active at max, min is 5
  CHECK(u.on_end_of_input(1) == opt{max_watermark});
  CHECK_THROWS_AS(u.on_watermark(2, 1), std::out_of_range);
}

TEST_CASE("tracker: random sequences against the brute-force reference") {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 300; ++round) {
    int n = 1 + static_cast<int>(rng() % 4);
    watermark_tracker t(n);
    reference_tracker ref(n);
    std::int64_t last = min_watermark;
    for (int step = 0; step < 200; ++step) {
      int c = static_cast<int>(rng() % static_cast<std::uint64_t>(n));
      auto kind = rng() % 10;
      opt got, want;
      if (kind < 6) {
        auto w = static_cast<std::int64_t>(rng() % 100) + step; // ties and regressions
        got = t.on_watermark(c, w);
        want = ref.watermark(c, w);
      } else if (kind < 8) {
        got = t.on_idle(c);
        want = ref.idle(c);
      } else if (kind == 8 || rng() % 4 != 0) {
        t.on_active(c);
        ref.active(c);
      } else { // end of input: active at the maximum watermark
        got = t.on_end_of_input(c);
        ref.active(c);
        want = ref.watermark(c, max_watermark);
      }
      INFO("round ", round, " step ", step, " kind ", kind, " channel ", c, " got ",
           got.value_or(-1), " want ", want.value_or(-1), " current ", t.current());
      REQUIRE(got == want);
      REQUIRE(t.current() == ref.out());
      REQUIRE(t.idle() == ref.all_idle());
      REQUIRE(t.current() >= last); // monotonic
      if (got)
        REQUIRE(*got > last);
      last = t.current();
    }
  }
}
