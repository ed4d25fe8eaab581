#pragma once
// Operators on keyed streams: the rolling reduce (and sum/min/max built on it) and the keyed
// process function. State is per key, held in the subtask that owns the key's key group.

#include "sluice/operators/basic_operators.hpp"
#include "sluice/state/flat_hash_map.hpp"

#include <optional>
#include <utility>

namespace sluice {

/// Flink's rolling reduce: emits the running reduction of each key after every element.
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

/// A process function on a keyed stream: the current key is available while processing.
template <class K, class In, class Out>
class keyed_process_function {
public:
  using key_type = K;
  using input_type = In;
  using output_type = Out;
  virtual ~keyed_process_function() = default;
  virtual void open(const runtime_context&) {}
  virtual void process_element(In&& value, const K& key, collector<Out>& out) = 0;
  virtual void on_end_of_input(collector<Out>&) {}
  virtual void close() {}
};

template <class P, class KeySelector>
class keyed_process_operator final
    : public one_input_operator<typename P::input_type, typename P::output_type> {
  using In = typename P::input_type;
  using base = one_input_operator<In, typename P::output_type>;

public:
  keyed_process_operator(P fn, KeySelector key) : fn_(std::move(fn)), key_(std::move(key)) {}
  void open(const runtime_context& ctx) override {
    stream_operator::open(ctx);
    fn_.open(ctx);
  }
  void collect(In&& value) override {
    this->guard([&] {
      auto k = key_(static_cast<const In&>(value));
      fn_.process_element(std::move(value), k, *this->out_);
    });
  }
  void end_input() override { fn_.on_end_of_input(*this->out_); }
  void close() override { fn_.close(); }
  using base::collect;

private:
  P fn_;
  KeySelector key_;
};

} // namespace sluice
