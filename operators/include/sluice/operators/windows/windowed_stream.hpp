#pragma once
// windowed_stream: a keyed stream grouped into windows (Flink's WindowedStream). Configure the
// trigger, evictor, allowed lateness and late-data side output, then apply a window function.

#include "sluice/operators/api/data_stream.hpp"
#include "sluice/operators/api/output_tag.hpp"
#include "sluice/operators/windows/evictors.hpp"
#include "sluice/operators/windows/window_operator.hpp"

#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace sluice {

/// The evictor of a windowed_stream without one: windows keep incremental state.
struct no_evictor {};

template <class K, class T, class KeySelector, class Assigner, class Evictor = no_evictor>
class windowed_stream {
public:
  using window_type = window_type_t<Assigner, T>;

  /// `input` is already partitioned by `key` (see keyed_stream::window).
  windowed_stream(data_stream<T> input, KeySelector key, Assigner assigner,
                  window_settings<window_type> settings = {}, Evictor evictor = {})
      : input_(std::move(input)), key_(std::move(key)), assigner_(std::move(assigner)),
        settings_(std::move(settings)), evictor_(std::move(evictor)) {}

  /// Replaces the assigner's default trigger; Tr derives from trigger<window_type>. Throws
  /// std::invalid_argument for a non-merging trigger on session windows.
  template <class Tr> windowed_stream& trigger(Tr t) {
    static_assert(std::is_base_of_v<sluice::trigger<window_type>, Tr>,
                  "a window trigger derives from trigger<window type>");
    if (Assigner::is_merging() && !t.can_merge()) {
      throw std::invalid_argument("windowed_stream: the trigger cannot merge session windows");
    }
    settings_.window_trigger = std::make_shared<Tr>(std::move(t));
    return *this;
  }

  /// Keeps windows `ms` past their end, re-firing on late elements (default 0). Throws
  /// std::invalid_argument if ms < 0.
  windowed_stream& allowed_lateness(std::int64_t ms) {
    if (ms < 0) {
      throw std::invalid_argument("windowed_stream: allowed lateness must be >= 0");
    }
    settings_.allowed_lateness = ms;
    return *this;
  }

  /// Sends elements dropped as late to side output `tag` (get it with get_side_output).
  windowed_stream& side_output_late_data(const output_tag<T>& tag) {
    settings_.late_data_tag = tag.id;
    return *this;
  }

  /// Keeps all elements and evicts with E (evictors.hpp) before or after the function.
  template <class E> windowed_stream<K, T, KeySelector, Assigner, E> evictor(E e) const {
    return {input_, key_, assigner_, settings_, std::move(e)};
  }

  /// fn(T accumulated, const T& next) -> T per window; emits the result.
  template <class F> data_stream<T> reduce(F fn, std::string name = "window_reduce") {
    return reduce_with(std::move(fn), windows_detail::pass_through<T>{}, std::move(name));
  }

  /// Reduces with fn, then hands the single result to process function P (input type T).
  template <class F, class P, class = std::enable_if_t<!std::is_convertible_v<P, std::string>>>
  data_stream<typename P::output_type> reduce(F fn, P process_fn,
                                              std::string name = "window_reduce") {
    check_process_function<P, T>();
    return reduce_with(std::move(fn), windows_detail::single_to_process<P>{std::move(process_fn)},
                       std::move(name));
  }

  /// A: create_accumulator(), add(const T&, Acc) -> Acc, merge(Acc, Acc) -> Acc,
  /// get_result(const Acc&) -> R; emits R per window.
  template <class A> auto aggregate(A agg, std::string name = "window_aggregate") {
    using R = windows_detail::aggregate_result_t<A>;
    return aggregate_with(std::move(agg), windows_detail::pass_through<R>{}, std::move(name));
  }

  /// Aggregates with agg, then hands the single result to process function P.
  template <class A, class P, class = std::enable_if_t<!std::is_convertible_v<P, std::string>>>
  data_stream<typename P::output_type> aggregate(A agg, P process_fn,
                                                 std::string name = "window_aggregate") {
    check_process_function<P, windows_detail::aggregate_result_t<A>>();
    return aggregate_with(std::move(agg),
                          windows_detail::single_to_process<P>{std::move(process_fn)},
                          std::move(name));
  }

  /// P derives from process_window_function<K, T, Out, window_type>; sees all elements.
  template <class P>
  data_stream<typename P::output_type> process(P fn, std::string name = "window_process") {
    check_process_function<P, T>();
    if constexpr (evicting) {
      return build(
          evicting_contents<T, Evictor, windows_detail::process_all<P>>(evictor_, {std::move(fn)}),
          std::move(name));
    } else {
      return build(list_contents<T, P>(std::move(fn)), std::move(name));
    }
  }

private:
  static constexpr bool evicting = !std::is_same_v<Evictor, no_evictor>;

  template <class P, class In> static void check_process_function() {
    static_assert(std::is_same_v<typename P::input_type, In>, "process function input type");
    static_assert(std::is_same_v<typename P::key_type, K>, "process function key type");
    static_assert(std::is_same_v<typename P::window_type, window_type>,
                  "process function window type");
  }

  template <class F, class Final> auto reduce_with(F fn, Final final_fn, std::string name) {
    if constexpr (evicting) {
      using all = windows_detail::reduce_all<T, F, Final>;
      return build(
          evicting_contents<T, Evictor, all>(evictor_, all{std::move(fn), std::move(final_fn)}),
          std::move(name));
    } else {
      return build(reduce_contents<T, F, Final>(std::move(fn), std::move(final_fn)),
                   std::move(name));
    }
  }

  template <class A, class Final> auto aggregate_with(A agg, Final final_fn, std::string name) {
    if constexpr (evicting) {
      using all = windows_detail::aggregate_all<T, A, Final>;
      return build(
          evicting_contents<T, Evictor, all>(evictor_, all{std::move(agg), std::move(final_fn)}),
          std::move(name));
    } else {
      return build(aggregate_contents<T, A, Final>(std::move(agg), std::move(final_fn)),
                   std::move(name));
    }
  }

  template <class Contents>
  data_stream<typename Contents::output_type> build(Contents contents, std::string name) {
    using op = window_operator<K, T, KeySelector, Assigner, Contents>;
    return input_.template add_operator<typename Contents::output_type>(
        std::move(name),
        [key = key_, assigner = assigner_, contents = std::move(contents), settings = settings_] {
          return std::make_unique<op>(key, assigner, contents, settings);
        });
  }

  data_stream<T> input_;
  KeySelector key_;
  Assigner assigner_;
  window_settings<window_type> settings_;
  Evictor evictor_;
};

} // namespace sluice
