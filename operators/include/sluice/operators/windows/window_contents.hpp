#pragma once
// Contents policies: what window_operator keeps per (key, window) and how it fires it. The
// contents live in one keyed state ("window-contents") of the operator's backend, in the
// namespace of the window, so either backend stores, snapshots and rescales them. A policy
// (window_operator's Contents) provides
//   using output_type; using stored_type;
//   void open(keyed_state_backend&);            looks its state up once
//   void add(T&&, std::int64_t timestamp);      adds to the current (key, window)
//   void emit(const Ctx&, collector<output_type>&);  fires the current window, if it holds anything
//   void purge();                               drops the current window's contents
//   std::optional<stored_type> take();          removes and returns them (merging windows)
//   void absorb(stored_type&&);                 merges taken contents into the current window's
//   void clear(const Ctx&);                     the window is gone: the function's clear
// Incremental policies (reduce, aggregate) also offer the accumulator interface that
// window_operator's fast path (window_accumulators.hpp) uses instead of their state:
//   using accumulator_type; using state_descriptor;  the state's value and descriptor
//   accumulator_type first(const T&);            the accumulator of a window's first element
//   void accumulate(accumulator_type&, const T&); adds a later element
//   void absorb_accumulator(accumulator_type&, accumulator_type&&); merges another window's
//                                                 (session windows), as absorb() does
//   void emit_accumulator(const Ctx&, const accumulator_type&, collector<output_type>&);

#include "sluice/operators/core/collector.hpp"
#include "sluice/operators/windows/window_functions.hpp"
#include "sluice/state/get_keyed_state.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice {

namespace windows_detail {

inline const std::string contents_state_name = "window-contents";

/// `held` (just read from `state`), after clearing `state` if it held anything.
template <class V> std::optional<V> taken_from(keyed_state_base& state, std::optional<V> held) {
  if (held) {
    state.clear();
  }
  return held;
}

/// Contents kept as a list state of E, merged by appending.
template <class E> class list_state_contents {
public:
  using stored_type = std::vector<E>;

  void open(keyed_state_backend& backend) {
    state_ = &backend.get_state(list_state_descriptor<E>(contents_state_name));
  }
  void purge() { state_->clear(); }
  std::optional<stored_type> take() {
    stored_type all = state_->get();
    return taken_from(*state_, all.empty() ? std::nullopt : std::optional(std::move(all)));
  }
  void absorb(stored_type&& from) { state_->add_all(from); }

protected:
  list_state<E>* state_ = nullptr;
};

} // namespace windows_detail

/// Incremental reduce: keeps F(acc, next) per window in a reducing state, emits it through Final.
template <class T, class F, class Final> class reduce_contents {
public:
  using stored_type = T;
  using output_type = typename Final::output_type;
  reduce_contents(F fn, Final final_fn) : fn_(std::move(fn)), final_(std::move(final_fn)) {}

  /// The state calls back into this policy, which lives as long as the operator.
  void open(keyed_state_backend& backend) {
    state_ = &backend.get_state(reducing_state_descriptor<T>(
        windows_detail::contents_state_name,
        [this](const T& acc, const T& next) { return fn_(T(acc), next); }));
  }
  void add(T&& value, std::int64_t) { state_->add(value); }
  template <class Ctx> void emit(const Ctx& ctx, collector<output_type>& out) {
    if (auto acc = state_->get()) {
      final_.apply(ctx, std::move(*acc), out);
    }
  }

  using accumulator_type = T;
  using state_descriptor = reducing_state_descriptor<T>;
  T first(const T& value) { return value; }
  void accumulate(T& acc, const T& value) { acc = fn_(std::move(acc), value); }
  void absorb_accumulator(T& acc, T&& from) { acc = fn_(std::move(acc), from); }
  template <class Ctx>
  void emit_accumulator(const Ctx& ctx, const T& acc, collector<output_type>& out) {
    final_.apply(ctx, T(acc), out);
  }
  void purge() { state_->clear(); }
  std::optional<T> take() { return windows_detail::taken_from(*state_, state_->get()); }
  void absorb(T&& from) { state_->add(from); }
  template <class Ctx> void clear(const Ctx& ctx) { final_.clear(ctx); }

private:
  F fn_;
  Final final_;
  reducing_state<T>* state_ = nullptr;
};

/// Incremental aggregate: A has create_accumulator(), add(const T&, Acc) -> Acc,
/// merge(Acc, Acc) -> Acc and get_result(const Acc&) -> R; keeps the accumulator in a value
/// state and emits R through Final.
template <class T, class A, class Final> class aggregate_contents {
public:
  using stored_type = windows_detail::accumulator_t<A>;
  using output_type = typename Final::output_type;
  aggregate_contents(A agg, Final final_fn) : agg_(std::move(agg)), final_(std::move(final_fn)) {}

  void open(keyed_state_backend& backend) {
    state_ = &backend.get_state(
        value_state_descriptor<stored_type>(windows_detail::contents_state_name));
  }
  void add(T&& value, std::int64_t) {
    auto acc = state_->value();
    state_->update(agg_.add(value, acc ? std::move(*acc) : agg_.create_accumulator()));
  }
  template <class Ctx> void emit(const Ctx& ctx, collector<output_type>& out) {
    if (const auto acc = state_->value()) {
      final_.apply(ctx, agg_.get_result(*acc), out);
    }
  }

  using accumulator_type = stored_type;
  using state_descriptor = value_state_descriptor<stored_type>;
  stored_type first(const T& value) { return agg_.add(value, agg_.create_accumulator()); }
  void accumulate(stored_type& acc, const T& value) { acc = agg_.add(value, std::move(acc)); }
  void absorb_accumulator(stored_type& acc, stored_type&& from) {
    acc = agg_.merge(std::move(acc), std::move(from));
  }
  template <class Ctx>
  void emit_accumulator(const Ctx& ctx, const stored_type& acc, collector<output_type>& out) {
    final_.apply(ctx, agg_.get_result(acc), out);
  }
  void purge() { state_->clear(); }
  std::optional<stored_type> take() { return windows_detail::taken_from(*state_, state_->value()); }
  void absorb(stored_type&& from) {
    auto acc = state_->value();
    state_->update(acc ? agg_.merge(std::move(*acc), std::move(from)) : std::move(from));
  }
  template <class Ctx> void clear(const Ctx& ctx) { final_.clear(ctx); }

private:
  A agg_;
  Final final_;
  value_state<stored_type>* state_ = nullptr;
};

/// All elements of the window, in arrival order, handed to process function P.
template <class T, class P> class list_contents : public windows_detail::list_state_contents<T> {
public:
  using output_type = typename P::output_type;
  explicit list_contents(P fn) : fn_(std::move(fn)) {}

  void add(T&& value, std::int64_t) { this->state_->add(value); }
  template <class Ctx> void emit(const Ctx& ctx, collector<output_type>& out) {
    const std::vector<T> all = this->state_->get();
    if (!all.empty()) {
      fn_.process(ctx, all, out);
    }
  }
  template <class Ctx> void clear(const Ctx& ctx) { fn_.clear(ctx); }

private:
  P fn_;
};

} // namespace sluice
