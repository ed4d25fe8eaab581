#pragma once
// Operators on connected streams (Flink's CoFlatMap, CoProcess, KeyedCoProcess): one function
// per input, a common output; the keyed one adds per-key timers shared by both inputs.

#include "sluice/operators/api/keyed_process_function.hpp"
#include "sluice/operators/api/output_tag.hpp"
#include "sluice/operators/core/keyed_function_operator.hpp"
#include "sluice/operators/core/two_input_operator.hpp"
#include "sluice/operators/time/timer_queue.hpp"
#include "sluice/operators/time/watermark.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace sluice {

/// co_flat_map: f1(A&&, collector<Out>&) or f2(B&&, collector<Out>&) emits any number of
/// records (co_map wraps its functions into this form).
template <class A, class B, class Out, class F1, class F2>
class co_flat_map_operator final : public two_input_operator<A, B, Out> {
public:
  co_flat_map_operator(F1 f1, F2 f2) : f1_(std::move(f1)), f2_(std::move(f2)) {}
  void process_element1(A&& value) override {
    this->guard([&] { f1_(std::move(value), *this->out_); });
  }
  void process_element2(B&& value) override {
    this->guard([&] { f2_(std::move(value), *this->out_); });
  }

private:
  F1 f1_;
  F2 f2_;
};

/// Flink's CoProcessFunction: a function per input with the element's timestamp, the
/// combined watermark of both inputs, and side outputs.
template <class A, class B, class Out>
class co_process_function {
public:
  using first_type = A;
  using second_type = B;
  using output_type = Out;

  /// What process_element1/2 see besides the element.
  class context : public side_output_context {
  public:
    /// The element's timestamp; none if it has none.
    virtual std::optional<std::int64_t> timestamp() const = 0;
    /// The minimum of both inputs' watermarks.
    virtual std::int64_t current_watermark() const = 0;
    virtual std::int64_t current_processing_time() const = 0;
  };

  virtual ~co_process_function() = default;
  virtual void open(const runtime_context&) {}
  virtual void process_element1(A&& value, context& ctx, collector<Out>& out) = 0;
  virtual void process_element2(B&& value, context& ctx, collector<Out>& out) = 0;
  /// All input of both sides has arrived; emit what is still pending.
  virtual void on_end_of_input(collector<Out>&) {}
  virtual void close() {}
};

/// The processing time of `ctx`'s clock, or the system clock without one.
inline std::int64_t co_processing_time(const runtime_context& ctx) {
  if (auto* service = ctx.processing_time)
    return service->now_ms();
  auto since = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(since).count();
}

/// Runs a co_process_function (P derives from co_process_function<A, B, Out>).
template <class P>
class co_process_operator final
    : public two_input_operator<typename P::first_type, typename P::second_type,
                                typename P::output_type> {
  using A = typename P::first_type;
  using B = typename P::second_type;

public:
  explicit co_process_operator(P fn) : fn_(std::move(fn)), fn_ctx_(*this) {}

  void open(const runtime_context& ctx) override {
    stream_operator::open(ctx);
    fn_.open(ctx);
  }
  void process_element1(A&& value) override {
    this->guard([&] { fn_.process_element1(std::move(value), fn_ctx_, *this->out_); });
  }
  void process_element2(B&& value) override {
    this->guard([&] { fn_.process_element2(std::move(value), fn_ctx_, *this->out_); });
  }
  void process_watermark(std::int64_t wm) override {
    watermark_ = wm;
    this->out_->emit_watermark(wm);
  }
  void end_input() override {
    this->guard([&] { fn_.on_end_of_input(*this->out_); });
  }
  void close() override { fn_.close(); }

private:
  class context_impl final : public P::context {
  public:
    explicit context_impl(co_process_operator& op) : op_(op) {}
    std::optional<std::int64_t> timestamp() const override {
      const std::int64_t ts = op_.ctx_.current_timestamp();
      return ts == no_timestamp ? std::nullopt : std::optional<std::int64_t>(ts);
    }
    std::int64_t current_watermark() const override { return op_.watermark_; }
    std::int64_t current_processing_time() const override {
      return co_processing_time(op_.ctx_);
    }

  private:
    output_base* side_output(const std::string& tag_id) override {
      return op_.side_output(tag_id);
    }
    co_process_operator& op_;
  };

  P fn_;
  std::int64_t watermark_ = min_watermark;
  context_impl fn_ctx_;
};

/// Flink's KeyedCoProcessFunction: the context (a keyed_process_function's) gives the current
/// key and its timers, shared by both inputs.
template <class K, class A, class B, class Out>
class keyed_co_process_function {
public:
  using key_type = K;
  using first_type = A;
  using second_type = B;
  using output_type = Out;
  using context = typename keyed_process_function<K, A, Out>::context;
  using on_timer_context = typename keyed_process_function<K, A, Out>::on_timer_context;

  virtual ~keyed_co_process_function() = default;
  virtual void open(const runtime_context&) {}
  virtual void process_element1(A&& value, context& ctx, collector<Out>& out) = 0;
  virtual void process_element2(B&& value, context& ctx, collector<Out>& out) = 0;
  /// A timer of ctx.current_key() registered for `timestamp` fired.
  virtual void on_timer(std::int64_t /*timestamp*/, on_timer_context&, collector<Out>&) {}
  virtual void on_end_of_input(collector<Out>&) {}
  virtual void close() {}
};

/// Runs a keyed_co_process_function: keys each element with its input's key selector; timers
/// fire as the combined watermark and the clock pass them.
template <class P, class KeyA, class KeyB>
class keyed_co_process_operator final
    : public keyed_function_operator<two_input_operator<typename P::first_type,
                                                        typename P::second_type,
                                                        typename P::output_type>,
                                     P> {
  using K = typename P::key_type;
  using A = typename P::first_type;
  using B = typename P::second_type;
  using base = keyed_function_operator<two_input_operator<A, B, typename P::output_type>, P>;
  using base::fn_;
  using base::timers_;

public:
  keyed_co_process_operator(P fn, KeyA key_a, KeyB key_b)
      : base(std::move(fn)), key_a_(std::move(key_a)), key_b_(std::move(key_b)) {}

  void process_element1(A&& value) override {
    this->guard([&] {
      const K key = key_a_(static_cast<const A&>(value));
      fn_.process_element1(std::move(value), timers_.enter(key), *this->out_);
    });
  }
  void process_element2(B&& value) override {
    this->guard([&] {
      const K key = key_b_(static_cast<const B&>(value));
      fn_.process_element2(std::move(value), timers_.enter(key), *this->out_);
    });
  }

private:
  KeyA key_a_;
  KeyB key_b_;
};

} // namespace sluice
