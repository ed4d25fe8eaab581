#pragma once
// The operators of the broadcast state pattern: the first input carries the elements, the
// second the broadcast stream (every subtask gets all of it). Both register the broadcast
// states the broadcast stream declared in open(), so that they exist before any element.

#include "sluice/operators/api/broadcast_process_function.hpp"
#include "sluice/operators/core/co_operators.hpp"
#include "sluice/operators/core/two_input_operator.hpp"
#include "sluice/operators/time/keyed_timers.hpp"
#include "sluice/operators/time/watermark.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace sluice {

/// Registers one broadcast state (a map_state_descriptor the broadcast stream declared).
using broadcast_state_registration = std::function<void(operator_state_backend&)>;

/// What both broadcast operators share: the declared states, the combined watermark and the
/// broadcast side's context.
template <class P>
class broadcast_operator_base : public two_input_operator<typename P::input_type,
                                                          typename P::broadcast_type,
                                                          typename P::output_type> {
  using B = typename P::broadcast_type;

public:
  broadcast_operator_base(P fn, std::vector<broadcast_state_registration> states)
      : fn_(std::move(fn)), states_(std::move(states)) {}
  broadcast_operator_base(const broadcast_operator_base&) = delete;
  broadcast_operator_base& operator=(const broadcast_operator_base&) = delete;

  void process_element2(B&& value) override {
    this->guard([&] { fn_.process_broadcast_element(std::move(value), broadcast_ctx_, *this->out_); });
  }
  void end_input() override {
    this->guard([&] { fn_.on_end_of_input(*this->out_); });
  }
  void close() override { fn_.close(); }

protected:
  /// Registers the declared broadcast states, then opens the function.
  void open_function() {
    for (const auto& registration : states_)
      registration(*this->context().operator_state);
    fn_.open(this->context());
  }

  /// A context of the function (Base: broadcast_context or read_only_broadcast_context).
  template <class Base>
  class context_impl final : public Base {
  public:
    explicit context_impl(broadcast_operator_base& op) : op_(op) {}
    std::optional<std::int64_t> timestamp() const override {
      const std::int64_t ts = op_.context().current_timestamp();
      return ts == no_timestamp ? std::nullopt : std::optional<std::int64_t>(ts);
    }
    std::int64_t current_watermark() const override { return op_.watermark_; }
    std::int64_t current_processing_time() const override {
      return co_processing_time(op_.context());
    }

  private:
    output_base* side_output(const std::string& tag_id) override {
      return op_.side_output(tag_id);
    }
    operator_state_backend& broadcast_states() override { return *op_.context().operator_state; }
    broadcast_operator_base& op_;
  };

  P fn_;
  std::int64_t watermark_ = min_watermark;

private:
  std::vector<broadcast_state_registration> states_;
  context_impl<broadcast_context> broadcast_ctx_{*this};
};

/// Runs a broadcast_process_function on a non-keyed stream.
template <class P>
class broadcast_process_operator final : public broadcast_operator_base<P> {
  using In = typename P::input_type;

public:
  using broadcast_operator_base<P>::broadcast_operator_base;

  void open(const runtime_context& ctx) override {
    stream_operator::open(ctx);
    this->open_function();
  }
  void process_element1(In&& value) override {
    this->guard([&] { this->fn_.process_element(std::move(value), element_ctx_, *this->out_); });
  }
  void process_watermark(std::int64_t wm) override {
    this->watermark_ = wm;
    this->out_->emit_watermark(wm);
  }

private:
  typename broadcast_operator_base<P>::template context_impl<read_only_broadcast_context>
      element_ctx_{*this};
};

/// Runs a keyed_broadcast_process_function: keys each element; its timers fire as the
/// combined watermark and the clock pass them.
template <class P, class KeySelector>
class keyed_broadcast_process_operator final : public broadcast_operator_base<P> {
  using K = typename P::key_type;
  using In = typename P::input_type;

public:
  keyed_broadcast_process_operator(P fn, std::vector<broadcast_state_registration> states,
                                   KeySelector key)
      : broadcast_operator_base<P>(std::move(fn), std::move(states)), key_(std::move(key)),
        timers_(*this, this->fn_) {}

  void open(const runtime_context& ctx) override {
    stream_operator::open(ctx);
    timers_.open();
    this->open_function();
  }
  bool is_keyed() const override { return true; }
  void process_element1(In&& value) override {
    this->guard([&] {
      const K key = key_(static_cast<const In&>(value));
      this->fn_.process_element(std::move(value), timers_.enter(key), *this->out_);
    });
  }
  void process_watermark(std::int64_t wm) override {
    this->watermark_ = wm;
    this->guard([&] { timers_.advance_watermark(wm, *this->out_); });
    this->out_->emit_watermark(wm);
  }
  void on_processing_time(std::int64_t now) override {
    this->guard([&] { timers_.advance_processing_time(now, *this->out_); });
  }

private:
  KeySelector key_;
  keyed_timers<P> timers_;
};

} // namespace sluice
