#pragma once
// Window join and window co-group of two streams (Flink's JoinedStreams and CoGroupedStreams):
// a.join(b).where(key_a).equal_to(key_b).window(assigner).apply(fn). As Flink, both inputs are
// tagged into one union type, keyed, windowed by the window operator (so every assigner and
// its default trigger work), and each firing window hands both sides' elements of the key to
// the function: co_group gets both lists (one may be empty), join every pair. Results carry the
// window's max_timestamp.

#include "sluice/operators/api/data_stream.hpp"
#include "sluice/operators/windows/window_functions.hpp"
#include "sluice/state/serializer_fields.hpp"
#include "sluice/state/serializer_std.hpp"

#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice {

/// An element of either input: exactly one of `one` (first input) and `two` is set.
template <class A, class B>
struct tagged_union {
  std::optional<A> one;
  std::optional<B> two;
  SLUICE_FIELDS(one, two)
};

namespace joins_detail {

/// Keys a tagged element with the key selector of its input.
template <class K, class A, class B, class KeyA, class KeyB>
struct union_key {
  KeyA key_a;
  KeyB key_b;
  K operator()(const tagged_union<A, B>& v) const { return v.one ? key_a(*v.one) : key_b(*v.two); }
};

/// Splits a window's elements by input and calls fn(first, second, out).
template <class K, class A, class B, class Out, class W, class F>
class co_group_window_function final
    : public process_window_function<K, tagged_union<A, B>, Out, W> {
  using base = process_window_function<K, tagged_union<A, B>, Out, W>;

public:
  explicit co_group_window_function(F fn) : fn_(std::move(fn)) {}
  void process(const typename base::context&, const std::vector<tagged_union<A, B>>& elements,
               collector<Out>& out) override {
    std::vector<A> first;
    std::vector<B> second;
    for (const auto& e : elements) {
      if (e.one)
        first.push_back(*e.one);
      else
        second.push_back(*e.two);
    }
    fn_(static_cast<const std::vector<A>&>(first), static_cast<const std::vector<B>&>(second),
        out);
  }

private:
  F fn_;
};

/// A join function fn(const A&, const B&) -> Out as a co-group function: the cross product.
template <class A, class B, class Out, class F>
struct cross_product {
  F fn;
  void operator()(const std::vector<A>& first, const std::vector<B>& second,
                  collector<Out>& out) {
    for (const auto& a : first)
      for (const auto& b : second)
        out.collect(Out(fn(a, b)));
  }
};

} // namespace joins_detail

/// The result type of a co-group function fn(const std::vector<A>&, const std::vector<B>&,
/// collector<Out>&), or Out if given.
template <class Out, class F>
using co_group_result_t =
    std::conditional_t<std::is_void_v<Out>, typename collector_element<arg_t<F, 2>>::type, Out>;

/// Two streams keyed alike and windowed by `Assigner`; Join selects join or co-group.
template <class A, class B, class KeyA, class KeyB, class Assigner, bool Join>
class windowed_two_streams {
public:
  using key_type = std::decay_t<std::invoke_result_t<KeyA&, const A&>>;

  windowed_two_streams(data_stream<A> first, data_stream<B> second, KeyA key_a, KeyB key_b,
                       Assigner assigner)
      : first_(std::move(first)), second_(std::move(second)), key_a_(std::move(key_a)),
        key_b_(std::move(key_b)), assigner_(std::move(assigner)) {}

  /// Join: fn(const A&, const B&) -> Out per pair with equal keys in a window.
  /// Co-group: fn(const std::vector<A>&, const std::vector<B>&, collector<Out>&) per key and
  /// window; Out is deduced from a non-generic fn, or given explicitly.
  template <class Out = void, class F>
  auto apply(F fn, std::string name = Join ? "window_join" : "window_co_group") {
    if constexpr (Join) {
      using R = std::decay_t<std::invoke_result_t<F&, const A&, const B&>>;
      return co_group<R>(joins_detail::cross_product<A, B, R, F>{std::move(fn)},
                         std::move(name));
    } else {
      return co_group<co_group_result_t<Out, F>>(std::move(fn), std::move(name));
    }
  }

private:
  using tagged = tagged_union<A, B>;

  template <class R, class G>
  data_stream<R> co_group(G fn, std::string name) {
    using window_type = window_type_t<Assigner, tagged>;
    auto one = first_.map([](A v) { return tagged{std::move(v), std::nullopt}; },
                          name + ": tag 1");
    auto two = second_.map([](B v) { return tagged{std::nullopt, std::move(v)}; },
                           name + ": tag 2");
    return one.union_with(two)
        .key_by(joins_detail::union_key<key_type, A, B, KeyA, KeyB>{key_a_, key_b_})
        .window(assigner_)
        .process(joins_detail::co_group_window_function<key_type, A, B, R, window_type, G>(
                     std::move(fn)),
                 std::move(name));
  }

  data_stream<A> first_;
  data_stream<B> second_;
  KeyA key_a_;
  KeyB key_b_;
  Assigner assigner_;
};

/// Both key selectors chosen: window(assigner) groups both inputs into its windows.
template <class A, class B, class KeyA, class KeyB, bool Join>
struct two_streams_equal_to {
  data_stream<A> first;
  data_stream<B> second;
  KeyA key_a;
  KeyB key_b;

  template <class Assigner>
  windowed_two_streams<A, B, KeyA, KeyB, Assigner, Join> window(Assigner assigner) const {
    return {first, second, key_a, key_b, std::move(assigner)};
  }
};

/// The first key selector chosen: equal_to(key_b) chooses the second, key_b(const B&) -> K.
template <class A, class B, class KeyA, bool Join>
struct two_streams_where {
  data_stream<A> first;
  data_stream<B> second;
  KeyA key_a;

  template <class KeyB>
  two_streams_equal_to<A, B, KeyA, KeyB, Join> equal_to(KeyB key_b) const {
    static_assert(std::is_same_v<std::decay_t<std::invoke_result_t<KeyA&, const A&>>,
                                 std::decay_t<std::invoke_result_t<KeyB&, const B&>>>,
                  "equal_to: both key selectors must return the same type");
    return {first, second, key_a, std::move(key_b)};
  }
};

/// a.join(b) (Join) or a.co_group(b): where(key_a) chooses the first input's keys.
template <class A, class B, bool Join>
struct two_streams {
  data_stream<A> first;
  data_stream<B> second;

  template <class KeyA>
  two_streams_where<A, B, KeyA, Join> where(KeyA key_a) const {
    return {first, second, std::move(key_a)};
  }
};

} // namespace sluice
