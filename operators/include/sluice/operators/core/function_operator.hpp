#pragma once
// function_operator, the base of the operators running a user function (map, filter, flat_map).
// The function may be a rich function (Flink's RichFunction): a function object with
// open(runtime_context&) (or const&) and close() members; the operator calls them, so the
// function can get its state in open(). Plain lambdas have neither.
// On a keyed stream the operator makes the element's key current before calling the function,
// so the keyed state it obtained in open() reads and writes that key's entry.

#include "sluice/operators/core/runtime_context.hpp"
#include "sluice/operators/core/stream_operator.hpp"
#include "sluice/state/prefetch.hpp"

#include <cstddef>
#include <type_traits>
#include <utility>

namespace sluice {

namespace rich_detail {

template <class F, class = void>
struct has_open : std::false_type {};
template <class F>
struct has_open<F, std::void_t<decltype(std::declval<F&>().open(
                       std::declval<runtime_context&>()))>> : std::true_type {};

template <class F, class = void>
struct has_close : std::false_type {};
template <class F>
struct has_close<F, std::void_t<decltype(std::declval<F&>().close())>> : std::true_type {};

} // namespace rich_detail

/// Calls fn.open(ctx) if F has such a member.
template <class F>
void open_function(F& fn, runtime_context& ctx) {
  if constexpr (rich_detail::has_open<F>::value)
    fn.open(ctx);
}

/// Calls fn.close() if F has such a member.
template <class F>
void close_function(F& fn) {
  if constexpr (rich_detail::has_close<F>::value)
    fn.close();
}

/// Keying of an operator on a non-keyed stream: nothing to do per element.
struct not_keyed {
  static constexpr bool keyed = false;
  template <class T>
  void open(const stream_operator&) {}
  template <class T>
  void enter(const stream_operator&, const T&) {}
  template <class T>
  void prefetch(const stream_operator&, const T&) {}
};

/// Keying of an operator on a keyed stream: the element's key becomes the current key of the
/// operator's keyed state backend.
template <class KeySelector>
struct keyed_by {
  static constexpr bool keyed = true;
  KeySelector key;
  /// Declares the key type to the backend (before the function registers its state).
  template <class T>
  void open(const stream_operator& op) {
    using K = std::decay_t<decltype(key(std::declval<const T&>()))>;
    if (auto* backend = op.context().keyed_state)
      backend->template set_key_type<K>();
  }
  template <class T>
  void enter(const stream_operator& op, const T& value) {
    op.context().keyed_state->set_current_key(key(value));
  }
  /// Hints the backend that `value`'s key becomes current soon.
  template <class T>
  void prefetch(const stream_operator& op, const T& value) {
    op.context().keyed_state->prefetch_key(key(value));
  }
};

/// Base of the one-input operators that run a user function: holds it, opens and closes it,
/// and keys elements as Keying says (not_keyed or keyed_by<KeySelector>).
template <class In, class Out, class F, class Keying>
class function_operator : public one_input_operator<In, Out> {
public:
  using output_type = Out;
  function_operator(F fn, Keying keying) : fn_(std::move(fn)), keying_(std::move(keying)) {}
  void open(const runtime_context& ctx) override {
    stream_operator::open(ctx);
    keying_.template open<In>(*this);
    open_function(fn_, this->ctx_);
  }
  void close() override { close_function(fn_); }
  bool is_keyed() const override { return Keying::keyed; }

protected:
  /// Makes `value`'s key current (on a keyed stream).
  void enter(const In& value) { keying_.enter(*this, value); }
  /// Calls each(element) for the run [first, last); on a keyed stream the state of the element
  /// prefetch_distance ahead starts loading meanwhile, so state misses overlap.
  template <class Each>
  void for_all(In* first, In* last, Each&& each) {
    constexpr std::ptrdiff_t prefetch_distance = 32;
    for_each_prefetched(
        first, last, prefetch_distance,
        [&](const In* ahead) {
          if constexpr (Keying::keyed)
            keying_.prefetch(*this, *ahead);
        },
        [&](In* p) { each(std::move(*p)); });
  }

  F fn_;

private:
  Keying keying_;
};

} // namespace sluice
