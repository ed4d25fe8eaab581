#pragma once
// The one-input operators around a user function: map, filter, flat_map, process. Each is a
// thin one_input_operator around the function, copied per subtask; map, filter and flat_map
// call the function's open/close if it has them (function_operator.hpp) and, on a keyed stream,
// make the element's key current first.

#include "sluice/operators/api/output_tag.hpp"
#include "sluice/operators/core/function_operator.hpp"
#include "sluice/operators/core/function_traits.hpp"
#include "sluice/operators/core/stream_operator.hpp"

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>

namespace sluice {

/// map: fn(In&&) -> Out.
template <class In, class Out, class F, class Keying = not_keyed>
class map_operator final : public function_operator<In, Out, F, Keying> {
public:
  explicit map_operator(F fn, Keying keying = {})
      : function_operator<In, Out, F, Keying>(std::move(fn), std::move(keying)) {}
  void collect(In&& value) override {
    this->count_taken();
    this->guard([&] { map(std::move(value)); });
  }
  void collect_all(In* first, In* last) override {
    this->count_taken(static_cast<std::uint64_t>(last - first));
    this->guard([&] { this->for_all(first, last, [&](In&& value) { map(std::move(value)); }); });
  }
  /// A record the caller keeps (a fan-out's): a function that takes it by const reference
  /// reads it where it is; others get a copy.
  void collect(const In& value) override {
    if constexpr (std::is_invocable_v<F&, const In&>) {
      this->count_taken();
      this->guard([&] {
        this->enter(value);
        this->out_->collect(Out(this->fn_(value)));
      });
    } else {
      one_input_operator<In, Out>::collect(value);
    }
  }

private:
  void map(In&& value) {
    this->enter(value);
    this->out_->collect(Out(this->fn_(std::move(value))));
  }
};

/// filter: fn(const T&) -> bool keeps the element.
template <class T, class F, class Keying = not_keyed>
class filter_operator final : public function_operator<T, T, F, Keying> {
public:
  explicit filter_operator(F fn, Keying keying = {})
      : function_operator<T, T, F, Keying>(std::move(fn), std::move(keying)) {}
  void collect(T&& value) override {
    this->count_taken();
    this->guard([&] {
      this->enter(value);
      if (this->fn_(static_cast<const T&>(value)))
        this->out_->collect(std::move(value));
    });
  }
  /// A record the caller keeps (a fan-out's) is tested where it is and handed on by reference:
  /// what the filter drops is never copied.
  void collect(const T& value) override {
    this->count_taken();
    this->guard([&] {
      this->enter(value);
      if (this->fn_(value))
        this->out_->collect(value);
    });
  }
};

/// flat_map: fn(In&&, collector<Out>&) emits any number of elements.
template <class In, class Out, class F, class Keying = not_keyed>
class flat_map_operator final : public function_operator<In, Out, F, Keying> {
public:
  explicit flat_map_operator(F fn, Keying keying = {})
      : function_operator<In, Out, F, Keying>(std::move(fn), std::move(keying)) {}
  void collect(In&& value) override {
    this->count_taken();
    this->guard([&] {
      this->enter(value);
      this->fn_(std::move(value), *this->out_);
    });
  }
  using one_input_operator<In, Out>::collect;
};

/// The output type of map(fn) on elements of type T.
template <class T, class F>
using map_result_t = std::decay_t<std::invoke_result_t<F&, T&&>>;

/// The output type of flat_map<Out>(fn): Out if given, else deduced from a non-generic fn's
/// collector argument.
template <class Out, class F>
using flat_map_result_t =
    std::conditional_t<std::is_void_v<Out>, typename collector_element<arg_t<F, 1>>::type, Out>;

/// What a process function sees of the element being processed (Flink's
/// ProcessFunction.Context; timers need a keyed stream).
class process_context {
public:
  explicit process_context(const stream_operator& op) : op_(op) {}
  /// The element's timestamp, if the stream has timestamps.
  std::optional<std::int64_t> timestamp() const {
    auto ts = op_.context().current_timestamp();
    return ts == no_timestamp ? std::nullopt : std::optional<std::int64_t>(ts);
  }
  std::int64_t current_watermark() const { return watermark_; }
  std::int64_t current_processing_time() const {
    auto* service = op_.context().processing_time;
    return service ? service->now_ms()
                   : std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  }
  /// Emits `value` to side output `tag` (dropped if nothing consumes it).
  template <class U>
  void output(const output_tag<U>& tag, typename output_tag<U>::value_type value) {
    if (auto* out = op_.side_output(tag.id))
      static_cast<collector<U>*>(out)->collect(std::move(value));
  }

private:
  template <class>
  friend class process_operator;
  const stream_operator& op_;
  std::int64_t watermark_ = std::numeric_limits<std::int64_t>::min();
};

/// A process function: full control over emission, with open/close and end of input.
template <class In, class Out>
class process_function {
public:
  using input_type = In;
  using output_type = Out;
  using context = process_context;
  virtual ~process_function() = default;
  virtual void open(const runtime_context&) {}
  virtual void process_element(In&& value, context& ctx, collector<Out>& out) = 0;
  /// All input has arrived; emit what is still pending.
  virtual void on_end_of_input(collector<Out>&) {}
  virtual void close() {}
};

template <class P>
class process_operator final
    : public one_input_operator<typename P::input_type, typename P::output_type> {
  using In = typename P::input_type;
  using base = one_input_operator<In, typename P::output_type>;

public:
  explicit process_operator(P fn) : fn_(std::move(fn)) {}
  void open(const runtime_context& ctx) override {
    stream_operator::open(ctx);
    fn_.open(ctx);
  }
  void collect(In&& value) override {
    this->count_taken();
    this->guard([&] { fn_.process_element(std::move(value), ctx_, *this->out_); });
  }
  void process_watermark(std::int64_t wm) override {
    ctx_.watermark_ = wm;
    this->out_->emit_watermark(wm);
  }
  void end_input() override { fn_.on_end_of_input(*this->out_); }
  void close() override { fn_.close(); }
  using base::collect;

private:
  P fn_;
  process_context ctx_{*this};
};

} // namespace sluice
