#pragma once
// connected_streams<A, B>: two streams of possibly different types connected by
// data_stream::connect (Flink's ConnectedStreams). Each operator on it has a function per input
// and one output; after key_by both inputs are partitioned by key and share per-key timers.

#include "sluice/operators/api/data_stream.hpp"
#include "sluice/operators/core/co_operators.hpp"

#include <string>
#include <type_traits>
#include <utility>

namespace sluice {

/// Connected streams keyed by key_a (first input) and key_b (second), with equal key types.
template <class K, class A, class B, class KeyA, class KeyB>
class keyed_connected_streams {
public:
  keyed_connected_streams(data_stream<A> first, data_stream<B> second, KeyA key_a, KeyB key_b)
      : first_(keyed_stream<K, A, KeyA>(first, key_a).input()),
        second_(keyed_stream<K, B, KeyB>(second, key_b).input()), key_a_(std::move(key_a)),
        key_b_(std::move(key_b)) {}

  /// P derives from keyed_co_process_function<K, A, B, Out>.
  template <class P>
  data_stream<typename P::output_type> process(P fn, std::string name = "co_process") {
    static_assert(std::is_same_v<typename P::key_type, K>, "keyed co-process key type");
    static_assert(std::is_same_v<typename P::first_type, A>, "co-process first input type");
    static_assert(std::is_same_v<typename P::second_type, B>, "co-process second input type");
    return first_.template add_two_input_operator<typename P::output_type>(
        second_, std::move(name), [fn, ka = key_a_, kb = key_b_] {
          return std::make_unique<keyed_co_process_operator<P, KeyA, KeyB>>(fn, ka, kb);
        });
  }

private:
  data_stream<A> first_;
  data_stream<B> second_;
  KeyA key_a_;
  KeyB key_b_;
};

template <class A, class B>
class connected_streams {
public:
  connected_streams(data_stream<A> first, data_stream<B> second)
      : first_(std::move(first)), second_(std::move(second)) {}

  /// f1(A&&) -> Out for the first input, f2(B&&) -> Out for the second.
  template <class F1, class F2>
  auto co_map(F1 f1, F2 f2, std::string name = "co_map") {
    using Out = std::decay_t<std::invoke_result_t<F1&, A&&>>;
    static_assert(std::is_same_v<Out, std::decay_t<std::invoke_result_t<F2&, B&&>>>,
                  "co_map: both functions must return the same type");
    return co_flat_map<Out>(
        [f1](A&& v, collector<Out>& out) mutable { out.collect(Out(f1(std::move(v)))); },
        [f2](B&& v, collector<Out>& out) mutable { out.collect(Out(f2(std::move(v)))); },
        std::move(name));
  }

  /// f1(A&&, collector<Out>&) and f2(B&&, collector<Out>&); Out is deduced from a non-generic
  /// f1, or given explicitly.
  template <class Out = void, class F1, class F2>
  auto co_flat_map(F1 f1, F2 f2, std::string name = "co_flat_map") {
    using R = std::conditional_t<std::is_void_v<Out>,
                                 typename collector_element<arg_t<F1, 1>>::type, Out>;
    return first_.template add_two_input_operator<R>(second_, std::move(name), [f1, f2] {
      return std::make_unique<co_flat_map_operator<A, B, R, F1, F2>>(f1, f2);
    });
  }

  /// P derives from co_process_function<A, B, Out>.
  template <class P>
  data_stream<typename P::output_type> process(P fn, std::string name = "co_process") {
    static_assert(std::is_same_v<typename P::first_type, A>, "co-process first input type");
    static_assert(std::is_same_v<typename P::second_type, B>, "co-process second input type");
    return first_.template add_two_input_operator<typename P::output_type>(
        second_, std::move(name), [fn] { return std::make_unique<co_process_operator<P>>(fn); });
  }

  /// Partitions both inputs by key (key_a(const A&) and key_b(const B&) of the same type).
  template <class KeyA, class KeyB>
  auto key_by(KeyA key_a, KeyB key_b) const {
    using K = std::decay_t<std::invoke_result_t<KeyA&, const A&>>;
    static_assert(std::is_same_v<K, std::decay_t<std::invoke_result_t<KeyB&, const B&>>>,
                  "key_by: both key selectors must return the same type");
    return keyed_connected_streams<K, A, B, KeyA, KeyB>(first_, second_, std::move(key_a),
                                                        std::move(key_b));
  }

private:
  data_stream<A> first_;
  data_stream<B> second_;
};

} // namespace sluice
