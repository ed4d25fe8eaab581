#pragma once
// Operators on keyed streams: the rolling reduce (and sum/min/max built on it) and the keyed
// process operator running a keyed_process_function with its timers. State is per key, held
// in the subtask that owns the key's key group.

#include "sluice/operators/basic_operators.hpp"
#include "sluice/operators/keyed_process_function.hpp"
#include "sluice/operators/keyed_timers.hpp"
#include "sluice/operators/time/timer_service.hpp"
#include "sluice/operators/time/watermark.hpp"
#include "sluice/state/flat_hash_map.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace sluice {

/// Flink's rolling reduce: emits the running reduction of each key after every element. It keeps
/// the running values in its own open-addressing table (prefetched batch-at-a-time), not in the
/// keyed state backend, so they are not checkpointed yet; it is not keyed for the runtime.
template <class K, class T, class KeySelector, class F>
class reduce_operator final : public one_input_operator<T, T> {
public:
  reduce_operator(KeySelector key, F fn) : key_(std::move(key)), fn_(std::move(fn)) {}

  void collect(T&& value) override {
    this->guard([&] { reduce(value); });
  }

  /// Batch-at-a-time: the state of the record `prefetch_distance` ahead is loaded into the
  /// cache while this one is reduced, so state misses overlap instead of queueing.
  void collect_all(T* first, T* last) override {
    this->guard([&] {
      constexpr std::ptrdiff_t prefetch_distance = 8;
      for (auto* p = first; p != last; ++p) {
        if (last - p > prefetch_distance)
          state_.prefetch(key_(static_cast<const T&>(p[prefetch_distance])));
        reduce(*p);
      }
    });
  }
  using one_input_operator<T, T>::collect;

private:
  void reduce(const T& value) {
    auto [acc, inserted] = state_.try_emplace(key_(value), value);
    if (!inserted)
      *acc = fn_(std::move(*acc), value);
    this->out_->collect(static_cast<const T&>(*acc));
  }

  KeySelector key_;
  F fn_;
  flat_hash_map<K, T> state_;
};

/// Runs a keyed_process_function: keys each element, keeps the per-key event-time and
/// processing-time timers, and fires them in time order as the watermark and the clock pass.
template <class P, class KeySelector>
class keyed_process_operator final
    : public one_input_operator<typename P::input_type, typename P::output_type> {
  using K = typename P::key_type;
  using In = typename P::input_type;
  using base = one_input_operator<In, typename P::output_type>;

public:
  keyed_process_operator(P fn, KeySelector key)
      : fn_(std::move(fn)), key_(std::move(key)), timers_(*this, fn_) {}
  keyed_process_operator(const keyed_process_operator&) = delete;
  keyed_process_operator& operator=(const keyed_process_operator&) = delete;

  void open(const runtime_context& ctx) override {
    stream_operator::open(ctx);
    timers_.open();
    fn_.open(ctx);
  }
  bool is_keyed() const override { return true; }
  void collect(In&& value) override {
    this->guard([&] {
      const K key = key_(static_cast<const In&>(value));
      fn_.process_element(std::move(value), timers_.enter(key), *this->out_);
    });
  }
  /// Fires the event-time timers the watermark passes, then forwards it.
  void process_watermark(std::int64_t wm) override {
    this->guard([&] { timers_.advance_watermark(wm, *this->out_); });
    this->out_->emit_watermark(wm);
  }
  void on_processing_time(std::int64_t now) override {
    this->guard([&] { timers_.advance_processing_time(now, *this->out_); });
  }
  void end_input() override {
    this->guard([&] { fn_.on_end_of_input(*this->out_); });
  }
  void close() override { fn_.close(); }
  using base::collect;

private:
  P fn_;
  KeySelector key_;
  keyed_timers<P> timers_;
};

} // namespace sluice
