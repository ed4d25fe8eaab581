#pragma once
// Operators on keyed streams: the rolling reduce (and sum/min/max built on it) and the keyed
// process operator running a keyed_process_function with its timers. State is per key, held
// in the subtask that owns the key's key group.

#include "sluice/operators/api/keyed_process_function.hpp"
#include "sluice/operators/core/basic_operators.hpp"
#include "sluice/operators/core/keyed_function_operator.hpp"
#include "sluice/operators/time/timer_queue.hpp"
#include "sluice/operators/time/watermark.hpp"
#include "sluice/state/keyed_table.hpp"
#include "sluice/state/prefetch.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace sluice {

/// Flink's rolling reduce: emits the running reduction of each key after every element. The
/// running values are keyed state in a keyed_table named "_reduce", which the backend keeps
/// (heap: a prefetched table of the operator's own; RocksDB: a value state) and which is
/// snapshot and rescaled like any keyed state.
template <class K, class T, class KeySelector, class F>
class reduce_operator final : public one_input_operator<T, T> {
public:
  reduce_operator(KeySelector key, F fn) : key_(std::move(key)), fn_(std::move(fn)) {}

  bool is_keyed() const override { return true; }
  void open(const runtime_context& ctx) override {
    stream_operator::open(ctx);
    ctx.keyed_state->set_key_type<K>();
    running_.open(*ctx.keyed_state, "_reduce");
  }
  void collect(T&& value) override {
    this->count_taken();
    this->guard([&] { reduce(value); });
  }
  /// Batch-at-a-time: the running value of the record `prefetch_distance` ahead is loaded
  /// into the cache while this one is reduced, so state misses overlap.
  void collect_all(T* first, T* last) override {
    this->count_taken(static_cast<std::uint64_t>(last - first));
    this->guard([&] {
      constexpr std::ptrdiff_t prefetch_distance = 8;
      for_each_prefetched(
          first, last, prefetch_distance,
          [&](const T* ahead) { running_.prefetch(key_(*ahead)); },
          [&](const T* p) { reduce(*p); });
    });
  }
  using one_input_operator<T, T>::collect;

private:
  void reduce(const T& value) {
    this->out_->collect(running_.upsert(
        key_(value), [&] { return value; }, [&](T& acc) { acc = fn_(std::move(acc), value); }));
  }

  KeySelector key_;
  F fn_;
  keyed_table<K, T> running_;
};

/// Runs a keyed_process_function: keys each element, keeps the per-key event-time and
/// processing-time timers, and fires them in time order as the watermark and the clock pass.
template <class P, class KeySelector>
class keyed_process_operator final
    : public keyed_function_operator<
          one_input_operator<typename P::input_type, typename P::output_type>, P> {
  using K = typename P::key_type;
  using In = typename P::input_type;
  using base = keyed_function_operator<one_input_operator<In, typename P::output_type>, P>;
  using base::fn_;
  using base::timers_;

public:
  keyed_process_operator(P fn, KeySelector key) : base(std::move(fn)), key_(std::move(key)) {}

  void collect(In&& value) override {
    this->count_taken();
    this->guard([&] {
      const K key = key_(static_cast<const In&>(value));
      fn_.process_element(std::move(value), timers_.enter(key), *this->out_);
    });
  }
  using base::collect;

private:
  KeySelector key_;
};

} // namespace sluice
