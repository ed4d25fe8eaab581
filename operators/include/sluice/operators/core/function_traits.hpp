#pragma once
// Deduces argument types of non-generic callables (lambdas, function pointers).

#include <tuple>
#include <type_traits>

namespace sluice {

template <class F>
struct function_traits : function_traits<decltype(&F::operator())> {};

template <class C, class R, class... A>
struct function_traits<R (C::*)(A...) const> {
  using args = std::tuple<A...>;
};

template <class C, class R, class... A>
struct function_traits<R (C::*)(A...)> {
  using args = std::tuple<A...>;
};

template <class R, class... A>
struct function_traits<R (*)(A...)> {
  using args = std::tuple<A...>;
};

template <class F, std::size_t I>
using arg_t = std::tuple_element_t<I, typename function_traits<std::decay_t<F>>::args>;

template <class T>
class collector;

template <class C>
struct collector_element;

template <class T>
struct collector_element<collector<T>&> {
  using type = T;
};

} // namespace sluice
