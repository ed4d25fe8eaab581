#pragma once
// keyed_stream<K, T>: a stream partitioned by key. Operators on it see all records of a key
// in one subtask and keep per-key state.

#include "sluice/operators/api/data_stream.hpp"
#include "sluice/operators/core/keyed_operators.hpp"
#include "sluice/operators/windows/windowed_stream.hpp"

#include <algorithm>
#include <functional>
#include <tuple>

namespace sluice {

template <class K, class A, class B, class KeyA, class KeyB>
struct interval_join_builder;

template <class K, class T, class KeySelector = std::function<K(const T&)>>
class keyed_stream {
public:
  using key_type = K;
  using value_type = T;

  keyed_stream(const data_stream<T>& input, KeySelector key)
      : input_(input.with_partitioning(partition_kind::hash, hash_writer_factory<T>(key))),
        key_(std::move(key)) {}

  /// map, filter and flat_map as on data_stream<T>, but keyed (Flink's KeyedStream has them
  /// too): the element's key is current while fn runs, so keyed state fn got in its
  /// open(runtime_context&) (ctx.get_state(descriptor)) is the element's key's.
  template <class F>
  auto map(F fn, std::string name = "map") {
    return keyed_operator<map_operator<T, map_result_t<T, F>, F, keying>>(std::move(name),
                                                                          std::move(fn));
  }
  template <class F>
  data_stream<T> filter(F fn, std::string name = "filter") {
    return keyed_operator<filter_operator<T, F, keying>>(std::move(name), std::move(fn));
  }
  template <class Out = void, class F>
  auto flat_map(F fn, std::string name = "flat_map") {
    return keyed_operator<flat_map_operator<T, flat_map_result_t<Out, F>, F, keying>>(
        std::move(name), std::move(fn));
  }

  /// Rolling reduce: fn(T accumulated, const T& next) -> T; emits the result per element.
  /// The running values are keyed state on the job's backend (see reduce_operator).
  template <class F>
  data_stream<T> reduce(F fn, std::string name = "reduce") {
    auto key = key_;
    return input_.template add_operator<T>(std::move(name), [key, fn] {
      return std::make_unique<reduce_operator<K, T, KeySelector, F>>(key, fn);
    });
  }

  /// Rolling sum of a field: sum<I>() for tuple-like records, sum(&S::field) for structs,
  /// sum() for arithmetic records. Other fields keep the key's first record's values (as Flink).
  template <std::size_t I>
  data_stream<T> sum() { return fold_field<I>(plus{}, "sum"); }
  template <class M, class U = T>
  data_stream<T> sum(M U::*field) { return fold_member(field, plus{}, "sum"); }
  data_stream<T> sum() { return reduce([](T a, const T& b) { return plus{}(a, b); }, "sum"); }

  /// Rolling minimum of a field, in the same three forms as sum.
  template <std::size_t I>
  data_stream<T> min() { return fold_field<I>(least{}, "min"); }
  template <class M, class U = T>
  data_stream<T> min(M U::*field) { return fold_member(field, least{}, "min"); }
  data_stream<T> min() { return reduce([](T a, const T& b) { return least{}(a, b); }, "min"); }

  /// Rolling maximum of a field, in the same three forms as sum.
  template <std::size_t I>
  data_stream<T> max() { return fold_field<I>(greatest{}, "max"); }
  template <class M, class U = T>
  data_stream<T> max(M U::*field) { return fold_member(field, greatest{}, "max"); }
  data_stream<T> max() { return reduce([](T a, const T& b) { return greatest{}(a, b); }, "max"); }

  /// P derives from keyed_process_function<K, T, Out>.
  template <class P>
  data_stream<typename P::output_type> process(P fn, std::string name = "process") {
    static_assert(std::is_same_v<typename P::input_type, T>, "process function input type");
    static_assert(std::is_same_v<typename P::key_type, K>,
                  "keyed process function key type differs from the stream's key type");
    using Out = typename P::output_type;
    auto key = key_;
    return input_.template add_operator<Out>(std::move(name), [fn, key] {
      return std::make_unique<keyed_process_operator<P, KeySelector>>(fn, key);
    });
  }

  /// Connects a broadcast stream: process(keyed_broadcast_process_function) on the result.
  template <class B>
  keyed_broadcast_connected_stream<K, T, B, KeySelector>
  connect(const broadcast_stream<B>& broadcast) const {
    return {input_, key_, broadcast};
  }

  /// Groups each key's records into the windows of `assigner` (window_assigners.hpp).
  template <class Assigner>
  windowed_stream<K, T, KeySelector, Assigner> window(Assigner assigner) const {
    return windowed_stream<K, T, KeySelector, Assigner>(input_, key_, std::move(assigner));
  }

  /// Interval join: interval_join(other).between(lower, upper).process(fn).
  template <class U, class OtherKey>
  interval_join_builder<K, T, U, KeySelector, OtherKey>
  interval_join(keyed_stream<K, U, OtherKey> other) const {
    return {input_, other.input(), key_, other.key_selector()};
  }

  const KeySelector& key_selector() const { return key_; }
  /// The partitioned input stream (for extensions adding keyed operators).
  data_stream<T>& input() { return input_; }

private:
  using keying = keyed_by<KeySelector>;

  /// Adds Op (a function_operator keyed by this stream's key) running fn.
  template <class Op, class F>
  data_stream<typename Op::output_type> keyed_operator(std::string name, F fn) {
    return input_.template add_operator<typename Op::output_type>(
        std::move(name), [fn, key = key_] { return std::make_unique<Op>(fn, keying{key}); });
  }

  struct plus {
    template <class V>
    V operator()(const V& a, const V& b) const { return a + b; }
  };
  struct least {
    template <class V>
    V operator()(const V& a, const V& b) const { return std::min(a, b); }
  };
  struct greatest {
    template <class V>
    V operator()(const V& a, const V& b) const { return std::max(a, b); }
  };

  /// A rolling reduce that combines field I with op and keeps the other fields.
  template <std::size_t I, class Op>
  data_stream<T> fold_field(Op op, std::string name) {
    return reduce([op](T a, const T& b) {
      std::get<I>(a) = op(std::get<I>(a), std::get<I>(b));
      return a;
    }, std::move(name));
  }

  template <class M, class U, class Op>
  data_stream<T> fold_member(M U::*field, Op op, std::string name) {
    return reduce([field, op](T a, const T& b) {
      a.*field = op(a.*field, b.*field);
      return a;
    }, std::move(name));
  }

  data_stream<T> input_;
  KeySelector key_;
};

} // namespace sluice

#include "sluice/operators/joins/interval_join.hpp"
