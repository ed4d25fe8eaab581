#pragma once
// Interval join of two keyed streams (Flink's IntervalJoin): a.interval_join(b)
// .between(lower, upper).process(fn) calls fn(a, b, out) for every pair with equal keys and
// lower <= b.ts - a.ts <= upper (either bound exclusive on request). Both sides are buffered per
// key and timestamp (in keyed state) until the combined watermark passes the time after which
// they can no longer match; elements behind the watermark are dropped as late (counted in the
// operator's numLateRecordsDropped, as windows count theirs). Results carry max(a.ts, b.ts).

#include "sluice/operators/api/data_stream.hpp"
#include "sluice/operators/core/two_input_operator.hpp"
#include "sluice/operators/time/timer_queue_snapshot.hpp"
#include "sluice/operators/time/timestamps.hpp"
#include "sluice/operators/time/watermark.hpp"
#include "sluice/state/get_keyed_state.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice {

/// Joins the records of both inputs whose timestamps satisfy lower <= b.ts - a.ts <= upper
/// (bounds inclusive here: exclusive bounds arrive moved by one). Both buffers are keyed map
/// states (timestamp -> elements), their cleanup timers a snapshot participant, so the join's
/// state is checkpointed and rescaled by key group on either backend.
template <class K, class A, class B, class Out, class KeyA, class KeyB, class F>
class interval_join_operator final : public two_input_operator<A, B, Out> {
public:
  interval_join_operator(std::int64_t lower, std::int64_t upper, KeyA key_a, KeyB key_b, F fn)
      : lower_(lower), upper_(upper), key_a_(std::move(key_a)), key_b_(std::move(key_b)),
        fn_(std::move(fn)) {}

  bool is_keyed() const override { return true; }

  void open(const runtime_context& ctx) override {
    stream_operator::open(ctx);
    if (ctx.keyed_state == nullptr)
      throw std::logic_error("interval join '" + ctx.task_name() +
                             "': no keyed state backend (interval joins are keyed)");
    backend_ = ctx.keyed_state;
    backend_->set_key_type<K>();
    left_ = &backend_->get_state(
        map_state_descriptor<std::int64_t, std::vector<A>>("interval-join-left"));
    right_ = &backend_->get_state(
        map_state_descriptor<std::int64_t, std::vector<B>>("interval-join-right"));
    timers_snapshot_.register_with(*backend_, "interval-join-timers");
    late_dropped_ = &ctx.metric_group().late_records_dropped();
  }

  /// Buffers `a`, joins it with the buffered b in [a.ts + lower, a.ts + upper].
  void process_element1(A&& value) override {
    this->guard([&] {
      const std::int64_t ts = timestamp();
      if (is_late(ts))
        return;
      const K key = key_a_(static_cast<const A&>(value));
      backend_->set_current_key(key);
      for (const auto& [b_ts, bs] : buffered(*right_, ts + lower_, ts + upper_))
        for (const auto& b : bs)
          emit(value, b, std::max(ts, b_ts));
      buffer(*left_, ts, std::move(value));
      left_cleanup_.add(key, upper_ > 0 ? ts + upper_ : ts);
    });
  }

  /// Buffers `b`, joins it with the buffered a in [b.ts - upper, b.ts - lower].
  void process_element2(B&& value) override {
    this->guard([&] {
      const std::int64_t ts = timestamp();
      if (is_late(ts))
        return;
      const K key = key_b_(static_cast<const B&>(value));
      backend_->set_current_key(key);
      for (const auto& [a_ts, as] : buffered(*left_, ts - upper_, ts - lower_))
        for (const auto& a : as)
          emit(a, value, std::max(ts, a_ts));
      buffer(*right_, ts, std::move(value));
      right_cleanup_.add(key, lower_ <= 0 ? ts - lower_ : ts);
    });
  }

  /// Drops the buffered elements that can no longer match, then forwards the watermark.
  void process_watermark(std::int64_t wm) override {
    this->guard([&] {
      watermark_ = wm;
      left_cleanup_.fire_until(wm, [&](const K& key, std::int64_t time) {
        backend_->set_current_key(key);
        left_->remove(upper_ > 0 ? time - upper_ : time);
      });
      right_cleanup_.fire_until(wm, [&](const K& key, std::int64_t time) {
        backend_->set_current_key(key);
        right_->remove(lower_ <= 0 ? time + lower_ : time);
      });
    });
    this->out_->emit_watermark(wm);
  }

private:
  /// Cleanup timers belong to the key group of their key.
  struct same_key {
    const K& operator()(const K& key) const { return key; }
  };

  /// The current key's buffered elements with timestamps in [from, to], by timestamp (the
  /// state orders them by byte form, which is not numeric order).
  template <class V>
  static std::vector<std::pair<std::int64_t, std::vector<V>>>
  buffered(map_state<std::int64_t, std::vector<V>>& buffers, std::int64_t from, std::int64_t to) {
    auto entries = buffers.entries();
    entries.erase(std::remove_if(entries.begin(), entries.end(),
                                 [&](const auto& e) { return e.first < from || e.first > to; }),
                  entries.end());
    std::sort(entries.begin(), entries.end(),
              [](const auto& x, const auto& y) { return x.first < y.first; });
    return entries;
  }

  /// Appends `value` to the current key's elements at `ts`.
  template <class V>
  static void buffer(map_state<std::int64_t, std::vector<V>>& buffers, std::int64_t ts, V&& value) {
    std::vector<V> at_ts = buffers.get(ts).value_or(std::vector<V>{});
    at_ts.push_back(std::move(value));
    buffers.put(ts, at_ts);
  }

  /// The current element's timestamp; throws if it has none (as Flink).
  std::int64_t timestamp() const {
    const std::int64_t ts = this->ctx_.current_timestamp();
    if (ts == no_timestamp)
      throw std::runtime_error("interval join: elements need timestamps (assign them with a "
                               "watermark strategy)");
    return ts;
  }

  /// Whether an element at `ts` is behind the watermark; counts it as dropped if so.
  bool is_late(std::int64_t ts) {
    if (watermark_ == min_watermark || ts >= watermark_)
      return false;
    late_dropped_->inc();
    return true;
  }

  void emit(const A& a, const B& b, std::int64_t ts) {
    const slot_override stamp(this->ctx_.element_time, ts);
    fn_(a, b, *this->out_);
  }

  std::int64_t lower_;
  std::int64_t upper_;
  KeyA key_a_;
  KeyB key_b_;
  F fn_;
  keyed_state_backend* backend_ = nullptr;
  map_state<std::int64_t, std::vector<A>>* left_ = nullptr;
  map_state<std::int64_t, std::vector<B>>* right_ = nullptr;
  timer_queue<K> left_cleanup_;
  timer_queue<K> right_cleanup_;
  timer_queue_snapshot<K, same_key> timers_snapshot_{{&left_cleanup_, &right_cleanup_}, same_key{}};
  std::int64_t watermark_ = min_watermark;
  metric_counter* late_dropped_ = nullptr; ///< numLateRecordsDropped, in the operator's group
};

/// An interval join with its bounds; process(fn) adds the operator.
template <class K, class A, class B, class KeyA, class KeyB>
class interval_joined {
public:
  interval_joined(data_stream<A> first, data_stream<B> second, KeyA key_a, KeyB key_b,
                  std::int64_t lower, std::int64_t upper)
      : first_(std::move(first)), second_(std::move(second)), key_a_(std::move(key_a)),
        key_b_(std::move(key_b)), lower_(lower), upper_(upper) {}

  /// Excludes pairs with b.ts - a.ts == lower.
  interval_joined& lower_bound_exclusive() {
    lower_exclusive_ = true;
    return *this;
  }
  /// Excludes pairs with b.ts - a.ts == upper.
  interval_joined& upper_bound_exclusive() {
    upper_exclusive_ = true;
    return *this;
  }

  /// fn(const A&, const B&, collector<Out>&) per matching pair; Out is deduced from a
  /// non-generic fn, or given explicitly.
  template <class Out = void, class F>
  auto process(F fn, std::string name = "interval_join") {
    using R = std::conditional_t<std::is_void_v<Out>,
                                 typename collector_element<arg_t<F, 2>>::type, Out>;
    using op = interval_join_operator<K, A, B, R, KeyA, KeyB, F>;
    const std::int64_t lower = lower_exclusive_ ? lower_ + 1 : lower_;
    const std::int64_t upper = upper_exclusive_ ? upper_ - 1 : upper_;
    return first_.template add_two_input_operator<R>(
        second_, std::move(name), [=, ka = key_a_, kb = key_b_] {
          return std::make_unique<op>(lower, upper, ka, kb, fn);
        });
  }

private:
  data_stream<A> first_;
  data_stream<B> second_;
  KeyA key_a_;
  KeyB key_b_;
  std::int64_t lower_;
  std::int64_t upper_;
  bool lower_exclusive_ = false;
  bool upper_exclusive_ = false;
};

/// ka.interval_join(kb): between(lower, upper) sets the bounds of b.ts - a.ts.
template <class K, class A, class B, class KeyA, class KeyB>
struct interval_join_builder {
  data_stream<A> first; ///< partitioned by key_a
  data_stream<B> second; ///< partitioned by key_b
  KeyA key_a;
  KeyB key_b;

  /// Throws std::invalid_argument if lower > upper.
  interval_joined<K, A, B, KeyA, KeyB> between(std::int64_t lower, std::int64_t upper) const {
    if (lower > upper)
      throw std::invalid_argument("interval_join: lower bound " + std::to_string(lower) +
                                  " exceeds upper bound " + std::to_string(upper));
    return {first, second, key_a, key_b, lower, upper};
  }
};

} // namespace sluice
