#pragma once
// Window functions: what the window operator calls when a window fires. A "final" function turns
// what a contents policy (window_contents.hpp) produces into output (pass it through, or hand it
// to a process_window_function); the *_all functions evaluate all elements of an evicting window.

#include "sluice/operators/core/collector.hpp"
#include "sluice/operators/time/timestamps.hpp"
#include "sluice/operators/windows/time_window.hpp"

#include <cstdint>
#include <iterator>
#include <stdexcept>
#include <utility>
#include <vector>

namespace sluice {

/// What a window function sees of the firing window (Flink's ProcessWindowFunction.Context).
template <class K, class W> class window_context {
public:
  window_context(const K& key, const W& window, std::int64_t watermark,
                 const processing_time_service* clock)
      : key_(key), window_(window), watermark_(watermark), clock_(clock) {}
  const K& key() const { return key_; }
  const W& window() const { return window_; }
  std::int64_t current_watermark() const { return watermark_; }
  /// Throws std::logic_error if the operator runs without a processing-time service.
  std::int64_t current_processing_time() const {
    if (clock_ == nullptr) {
      throw std::logic_error("window_context: no processing-time service");
    }
    return clock_->now_ms();
  }

private:
  const K& key_;
  const W& window_;
  std::int64_t watermark_;
  const processing_time_service* clock_;
};

/// A function over all elements of a window (Flink's ProcessWindowFunction); derive and
/// implement process. Combined with reduce or aggregate it receives the single result.
template <class K, class In, class Out, class W = time_window> class process_window_function {
public:
  using key_type = K;
  using input_type = In;
  using output_type = Out;
  using window_type = W;
  using context = window_context<K, W>;
  virtual ~process_window_function() = default;
  /// Evaluates the window; may emit any number of records to `out`.
  virtual void process(const context& ctx, const std::vector<In>& elements,
                       collector<Out>& out) = 0;
  /// The window is removed (after allowed lateness): drop anything kept for it.
  virtual void clear(const context&) {}
};

namespace windows_detail {

/// Final function emitting the reduce/aggregate result unchanged.
template <class V> struct pass_through {
  using output_type = V;
  template <class Ctx> void apply(const Ctx&, V&& value, collector<V>& out) {
    out.collect(std::move(value));
  }
  template <class Ctx> void clear(const Ctx&) {}
};

/// Final function handing the single result to process function P.
template <class P> struct single_to_process {
  using output_type = typename P::output_type;
  using value_type = typename P::input_type;
  P fn;
  template <class Ctx> void apply(const Ctx& ctx, value_type&& value, collector<output_type>& out) {
    std::vector<value_type> one;
    one.push_back(std::move(value));
    fn.process(ctx, one, out);
  }
  template <class Ctx> void clear(const Ctx& ctx) { fn.clear(ctx); }
};

/// The accumulator type of aggregate function A.
template <class A> using accumulator_t = decltype(std::declval<A&>().create_accumulator());

/// The result type of aggregate function A.
template <class A>
using aggregate_result_t =
    decltype(std::declval<A&>().get_result(std::declval<const accumulator_t<A>&>()));

/// Over all (remaining) elements: process function P.
template <class P> struct process_all {
  using output_type = typename P::output_type;
  P fn;
  template <class Ctx>
  void apply(const Ctx& ctx, const std::vector<typename P::input_type>& all,
             collector<output_type>& out) {
    fn.process(ctx, all, out);
  }
  template <class Ctx> void clear(const Ctx& ctx) { fn.clear(ctx); }
};

/// Over all (remaining) elements: reduce with F, then Final; emits nothing for no elements.
template <class T, class F, class Final> struct reduce_all {
  using output_type = typename Final::output_type;
  F fn;
  Final final_fn;
  template <class Ctx>
  void apply(const Ctx& ctx, const std::vector<T>& all, collector<output_type>& out) {
    if (all.empty()) {
      return;
    }
    T acc = all.front();
    for (auto it = std::next(all.begin()); it != all.end(); ++it) {
      acc = fn(std::move(acc), *it);
    }
    final_fn.apply(ctx, std::move(acc), out);
  }
  template <class Ctx> void clear(const Ctx& ctx) { final_fn.clear(ctx); }
};

/// Over all (remaining) elements: aggregate with A, then Final.
template <class T, class A, class Final> struct aggregate_all {
  using output_type = typename Final::output_type;
  A agg;
  Final final_fn;
  template <class Ctx>
  void apply(const Ctx& ctx, const std::vector<T>& all, collector<output_type>& out) {
    auto acc = agg.create_accumulator();
    for (const T& e : all) {
      acc = agg.add(e, std::move(acc));
    }
    final_fn.apply(ctx, agg.get_result(acc), out);
  }
  template <class Ctx> void clear(const Ctx& ctx) { final_fn.clear(ctx); }
};

} // namespace windows_detail

} // namespace sluice
