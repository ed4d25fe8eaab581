#pragma once
// What an operator running a keyed function with per-key timers (keyed process, keyed
// co-process) does besides taking elements: open and close the function, fire its timers as
// the watermark and the clock pass them, and tell it of the end of input. Base is the operator
// interface the derived operator takes elements through (one_input_operator,
// two_input_operator).

#include "sluice/operators/core/runtime_context.hpp"
#include "sluice/operators/time/keyed_timers.hpp"

#include <cstdint>
#include <utility>

namespace sluice {

template <class Base, class P>
class keyed_function_operator : public Base {
public:
  explicit keyed_function_operator(P fn) : fn_(std::move(fn)), timers_(*this, fn_) {}

  void open(const runtime_context& ctx) override {
    stream_operator::open(ctx);
    timers_.open();
    fn_.open(ctx);
  }
  bool is_keyed() const override { return true; }
  /// Fires the event-time timers the watermark passes, then forwards it.
  void process_watermark(std::int64_t wm) override {
    this->guard([&] { timers_.advance_watermark(wm, *this->out_); });
    this->out_->emit_watermark(wm);
  }
  void on_processing_time(std::int64_t now) override {
    this->guard([&] { timers_.advance_processing_time(now, *this->out_); });
  }
  void end_input() override {
    this->guard([&] { fn_.on_end_of_input(*this->out_); });
  }
  void close() override { fn_.close(); }

protected:
  P fn_;
  keyed_timers<P> timers_;
};

} // namespace sluice
