#pragma once
// all_windowed_stream: a non-keyed stream grouped into windows (Flink's AllWindowedStream), made
// by data_stream::window_all. All records go to one window operator instance: the stream is keyed
// by a constant and the window operator is limited to parallelism 1 (as Flink forces it).

#include "sluice/operators/api/data_stream.hpp"
#include "sluice/operators/windows/window_functions.hpp"
#include "sluice/operators/windows/windowed_stream.hpp"

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice {

/// The key of every record of a window_all stream.
using all_window_key = std::uint8_t;

/// The key selector of window_all: one key for all records.
struct constant_key_selector {
  template <class T> all_window_key operator()(const T&) const { return 0; }
};

/// What a process-all-window function sees of the firing window (Flink's
/// ProcessAllWindowFunction.Context): no key.
template <class W> class all_window_context {
public:
  explicit all_window_context(const window_context<all_window_key, W>& keyed) : keyed_(keyed) {}
  const W& window() const { return keyed_.window(); }
  std::int64_t current_watermark() const { return keyed_.current_watermark(); }
  /// Throws std::logic_error if the operator runs without a processing-time service.
  std::int64_t current_processing_time() const { return keyed_.current_processing_time(); }

private:
  const window_context<all_window_key, W>& keyed_;
};

/// A function over all elements of a window of a window_all stream (Flink's
/// ProcessAllWindowFunction); derive and implement process. Combined with reduce or aggregate
/// it receives the single result.
template <class In, class Out, class W = time_window> class process_all_window_function {
public:
  using input_type = In;
  using output_type = Out;
  using window_type = W;
  using context = all_window_context<W>;
  virtual ~process_all_window_function() = default;
  /// Evaluates the window; may emit any number of records to `out`.
  virtual void process(const context& ctx, const std::vector<In>& elements,
                       collector<Out>& out) = 0;
  /// The window is removed (after allowed lateness): drop anything kept for it.
  virtual void clear(const context&) {}
};

namespace windows_detail {

/// Runs process-all-window function P as the keyed window function of the constant key.
template <class P>
class keyed_all_window_function final
    : public process_window_function<all_window_key, typename P::input_type,
                                     typename P::output_type, typename P::window_type> {
public:
  using base = process_window_function<all_window_key, typename P::input_type,
                                       typename P::output_type, typename P::window_type>;
  explicit keyed_all_window_function(P fn) : fn_(std::move(fn)) {}
  void process(const typename base::context& ctx,
               const std::vector<typename P::input_type>& elements,
               collector<typename P::output_type>& out) override {
    fn_.process(typename P::context(ctx), elements, out);
  }
  void clear(const typename base::context& ctx) override { fn_.clear(typename P::context(ctx)); }

private:
  P fn_;
};

} // namespace windows_detail

/// Windows over all records of a stream, evaluated at parallelism 1. Configure the trigger,
/// evictor, allowed lateness and late-data side output, then apply a window function; the
/// resulting stream's operator cannot run in parallel (set_parallelism(n > 1) fails the plan).
template <class T, class Assigner, class Evictor = no_evictor> class all_windowed_stream {
public:
  using keyed_windows = windowed_stream<all_window_key, T, constant_key_selector, Assigner, Evictor>;
  using window_type = typename keyed_windows::window_type;

  /// Use data_stream::window_all.
  all_windowed_stream(const data_stream<T>& input, Assigner assigner)
      : windows_(input.key_by(constant_key_selector{}).window(std::move(assigner))) {}
  explicit all_windowed_stream(keyed_windows windows) : windows_(std::move(windows)) {}

  /// Replaces the assigner's default trigger (see windowed_stream::trigger).
  template <class Tr> all_windowed_stream& trigger(Tr t) {
    windows_.trigger(std::move(t));
    return *this;
  }
  /// Keeps windows `ms` past their end, re-firing on late elements (default 0). Throws
  /// std::invalid_argument if ms < 0.
  all_windowed_stream& allowed_lateness(std::int64_t ms) {
    windows_.allowed_lateness(ms);
    return *this;
  }
  /// Sends elements dropped as late to side output `tag` (get it with get_side_output).
  all_windowed_stream& side_output_late_data(const output_tag<T>& tag) {
    windows_.side_output_late_data(tag);
    return *this;
  }
  /// Keeps all elements and evicts with E (evictors.hpp) before or after the function.
  template <class E> all_windowed_stream<T, Assigner, E> evictor(E e) const {
    return all_windowed_stream<T, Assigner, E>(windows_.evictor(std::move(e)));
  }

  /// fn(T accumulated, const T& next) -> T per window; emits the result.
  template <class F> data_stream<T> reduce(F fn, std::string name = "window_all_reduce") {
    return non_parallel(windows_.reduce(std::move(fn), std::move(name)));
  }
  /// Reduces with fn, then hands the single result to process-all-window function P.
  template <class F, class P, class = std::enable_if_t<!std::is_convertible_v<P, std::string>>>
  data_stream<typename P::output_type> reduce(F fn, P process_fn,
                                              std::string name = "window_all_reduce") {
    return non_parallel(windows_.reduce(std::move(fn), keyed(std::move(process_fn)),
                                        std::move(name)));
  }

  /// A: create_accumulator(), add(const T&, Acc) -> Acc, merge(Acc, Acc) -> Acc,
  /// get_result(const Acc&) -> R; emits R per window.
  template <class A> auto aggregate(A agg, std::string name = "window_all_aggregate") {
    return non_parallel(windows_.aggregate(std::move(agg), std::move(name)));
  }
  /// Aggregates with agg, then hands the single result to process-all-window function P.
  template <class A, class P, class = std::enable_if_t<!std::is_convertible_v<P, std::string>>>
  data_stream<typename P::output_type> aggregate(A agg, P process_fn,
                                                 std::string name = "window_all_aggregate") {
    return non_parallel(windows_.aggregate(std::move(agg), keyed(std::move(process_fn)),
                                           std::move(name)));
  }

  /// P derives from process_all_window_function<T, Out, window_type>; sees all elements.
  template <class P>
  data_stream<typename P::output_type> process(P fn, std::string name = "window_all_process") {
    return non_parallel(windows_.process(keyed(std::move(fn)), std::move(name)));
  }

private:
  template <class P> static windows_detail::keyed_all_window_function<P> keyed(P fn) {
    static_assert(std::is_base_of_v<process_all_window_function<typename P::input_type,
                                                                typename P::output_type,
                                                                typename P::window_type>,
                                    P>,
                  "P derives from process_all_window_function");
    return windows_detail::keyed_all_window_function<P>(std::move(fn));
  }

  /// Limits the window operator just built (the graph's newest node) to parallelism 1.
  template <class U> static data_stream<U> non_parallel(data_stream<U> out) {
    job_graph& graph = *out.graph();
    graph.node(static_cast<int>(graph.nodes().size()) - 1).parallelism_limit = 1;
    return out;
  }

  keyed_windows windows_;
};

} // namespace sluice
