// Idleness through the runtime: an idle source does not hold back the watermark of a keyed
// event-time window, and its records are processed when it becomes active again, without the
// watermark going back. Deterministic: the sources move between phases on what the window
// operator has done (shared counters), and the idleness clock only advances when the idle
// source is polled, so no sleep or timing threshold decides the outcome.

#include "job_test_util.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <tuple>

using namespace sluice;
using sluice::test::test_config;

namespace {

using record = std::pair<std::int64_t, std::int64_t>; // (timestamp, origin: 0 = A, 1 = B)

std::int64_t key_of(std::int64_t ts) { return ts / 10 % 3; }

constexpr std::int64_t window_size = 100;
constexpr std::int64_t a_phase_end = 1000;  // A: timestamps 0, 10, ... before the pause
constexpr std::int64_t a_end = 2000;        // A: ... up to a_end - 10 after it
constexpr std::int64_t phase_one_firings = 27; // 3 keys x windows [0,100) .. [800,900)
const std::vector<std::int64_t> b_first = {5, 15, 25};
const std::vector<std::int64_t> b_rejoin = {1005, 1015, 1025};

/// What the sources wait for and what the window operator saw (shared by all subtasks).
struct progress {
  std::atomic<std::int64_t> fired{0};        ///< window firings so far
  std::atomic<std::int64_t> rejoin_seen{0};  ///< B's rejoining records that reached a window
  std::atomic<std::int64_t> rejoin_min_watermark{max_watermark};
  std::mutex mutex;
  /// (key, window start) -> (records, records from B, watermark at the firing), in firing order.
  std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t>>
      firings;
};

/// Source A (parallel): every subtask emits timestamps 0, 10, ... < a_phase_end, waits until the
/// phase-one windows fired and B's rejoining records reached the window operator, then emits
/// up to a_end. It never goes idle as far as watermarks are concerned.
class source_a final : public copyable_source<source_a, record> {
public:
  explicit source_a(std::shared_ptr<progress> p) : progress_(std::move(p)) {}
  source_status poll(collector<record>& out, std::size_t max_records) override {
    const bool paused = next_ == a_phase_end &&
                        progress_->rejoin_seen.load() < static_cast<std::int64_t>(b_rejoin.size());
    if (paused)
      return source_status::idle;
    const std::int64_t stop = next_ < a_phase_end ? a_phase_end : a_end;
    for (std::size_t n = 0; n < max_records && next_ < stop; ++n, next_ += 10)
      out.collect(record{next_, 0});
    return next_ == a_end ? source_status::finished : source_status::more;
  }

private:
  std::shared_ptr<progress> progress_;
  std::int64_t next_ = 0;
};

/// Source B (not parallel): emits b_first, then has nothing until the phase-one windows fired
/// (each of those polls advances the idleness clock past the timeout), then emits b_rejoin and
/// finishes.
class source_b final : public copyable_source<source_b, record> {
public:
  source_b(std::shared_ptr<progress> p, std::shared_ptr<manual_clock> time, std::int64_t step)
      : progress_(std::move(p)), clock_(std::move(time)), step_(step) {}
  int max_source_parallelism() const override { return 1; }
  source_status poll(collector<record>& out, std::size_t) override {
    if (!first_sent_) {
      first_sent_ = true;
      for (auto ts : b_first)
        out.collect(record{ts, 1});
      return source_status::more;
    }
    if (progress_->fired.load() < phase_one_firings) {
      clock_->advance(step_); // read by B's idleness check, which runs in this subtask
      return source_status::idle;
    }
    for (auto ts : b_rejoin)
      out.collect(record{ts, 1});
    return source_status::finished;
  }

private:
  std::shared_ptr<progress> progress_;
  std::shared_ptr<manual_clock> clock_;
  std::int64_t step_;
  bool first_sent_ = false;
};

/// Event-time trigger that also notes B's rejoining records reaching the window operator.
class observing_trigger final : public trigger<time_window> {
public:
  explicit observing_trigger(std::shared_ptr<progress> p) : progress_(std::move(p)) {}
  trigger_result on_element(std::int64_t ts, const time_window& w,
                            trigger_context& ctx) const override {
    if (ts >= a_phase_end && ts % 10 == 5) {
      std::int64_t seen = progress_->rejoin_min_watermark.load();
      while (ctx.current_watermark() < seen &&
             !progress_->rejoin_min_watermark.compare_exchange_weak(seen, ctx.current_watermark()))
        ;
      ++progress_->rejoin_seen;
    }
    return inner_.on_element(ts, w, ctx);
  }
  trigger_result on_event_time(std::int64_t time, const time_window& w,
                               trigger_context& ctx) const override {
    return inner_.on_event_time(time, w, ctx);
  }
  trigger_result on_processing_time(std::int64_t time, const time_window& w,
                                    trigger_context& ctx) const override {
    return inner_.on_processing_time(time, w, ctx);
  }
  void clear(const time_window& w, trigger_context& ctx) const override { inner_.clear(w, ctx); }

private:
  std::shared_ptr<progress> progress_;
  event_time_trigger<time_window> inner_;
};

/// Logs each firing, then counts it (the sources' phase condition).
class log_firing final : public process_window_function<std::int64_t, record, std::int64_t> {
public:
  explicit log_firing(std::shared_ptr<progress> p) : progress_(std::move(p)) {}
  void process(const context& ctx, const std::vector<record>& elements,
               collector<std::int64_t>& out) override {
    std::int64_t from_b = 0;
    for (const auto& r : elements)
      from_b += r.second;
    {
      std::lock_guard<std::mutex> guard(progress_->mutex);
      progress_->firings.emplace_back(ctx.key(), ctx.window().start,
                                      static_cast<std::int64_t>(elements.size()), from_b,
                                      ctx.current_watermark());
    }
    ++progress_->fired;
    out.collect(static_cast<std::int64_t>(elements.size()));
  }

private:
  std::shared_ptr<progress> progress_;
};

watermark_strategy<record> by_timestamp(watermark_strategy<record> s) {
  return s.with_timestamp_assigner([](const record& r, std::int64_t) { return r.first; });
}

} // namespace

TEST_CASE("an idle source does not hold back the watermark and rejoins when active") {
  for (int p : {1, 2, 4}) {
    CAPTURE(p);
    // (key, window start) -> (records, records from B), from all records of A's p subtasks and B.
    std::map<std::pair<std::int64_t, std::int64_t>, std::pair<std::int64_t, std::int64_t>> expected;
    for (int s = 0; s < p; ++s)
      for (std::int64_t ts = 0; ts < a_end; ts += 10)
        ++expected[{key_of(ts), ts / window_size * window_size}].first;
    for (const auto& b : {b_first, b_rejoin})
      for (auto ts : b) {
        auto& e = expected[{key_of(ts), ts / window_size * window_size}];
        ++e.first;
        ++e.second;
      }

    auto cfg = test_config(p, 256);
    cfg.watermark_interval_ms = 2; // the idleness check runs on this timer
    environment env(cfg);
    auto state = std::make_shared<progress>();
    const std::int64_t idle_timeout = 50;
    auto time = std::make_shared<manual_clock>();
    auto a = env.from_source(source_a{state}, "A",
                             by_timestamp(watermark_strategy<record>::for_monotonous_timestamps()));
    auto b = env.from_source(source_b{state, time, idle_timeout + 1}, "B",
                             by_timestamp(watermark_strategy<record>::for_monotonous_timestamps()
                                              .with_idleness(std::chrono::milliseconds(idle_timeout),
                                                             time)))
                 .set_parallelism(1); // chained to B: the manual clock stays in one subtask
    a.union_with(b)
        .key_by([](const record& r) { return key_of(r.first); })
        .window(tumbling_windows{window_size})
        .trigger(observing_trigger{state})
        .process(log_firing{state})
        .sink_to(discarding_sink<std::int64_t>{});
    bool b_chained = false;
    auto plan = env.plan();
    for (const auto& v : plan->vertices()) {
      b_chained |= v.name.find("Source: B") != std::string::npos &&
                   v.name.find("timestamps of B") != std::string::npos;
    }
    REQUIRE(b_chained);

    auto result = env.execute("idleness");
    REQUIRE_MESSAGE(result.ok(), result.error());

    // Phase one: the windows up to [800,900) fired from A's watermark while B (last timestamp
    // 25, not finished) was idle; without idleness B would have held every key at watermark 24.
    std::map<std::pair<std::int64_t, std::int64_t>, std::pair<std::int64_t, std::int64_t>> got;
    std::map<std::int64_t, std::int64_t> last_watermark; // per key (one subtask per key)
    std::int64_t firing = 0;
    for (const auto& [key, start, count, from_b, watermark] : state->firings) {
      CAPTURE(key);
      CAPTURE(start);
      if (firing++ < phase_one_firings) {
        CHECK(start < a_phase_end - window_size);
      }
      CHECK(watermark >= start + window_size - 1);
      auto it = last_watermark.emplace(key, watermark).first;
      CHECK(watermark >= it->second); // never goes back, also not when B rejoined
      it->second = watermark;
      CHECK(got.emplace(std::pair{key, start}, std::pair{count, from_b}).second);
    }
    // B rejoined: its records arrived after the phase-one firings, at a watermark that had
    // not gone back to B's last one, and were counted in their windows.
    CHECK(state->rejoin_seen.load() == static_cast<std::int64_t>(b_rejoin.size()));
    CHECK(state->rejoin_min_watermark.load() >= a_phase_end - window_size - 1);
    CHECK(got == expected);
  }
}
