#pragma once
// Base for operators with two inputs of types In1 and In2 and an output of type Out. The
// runtime hands it the combined watermark of both inputs (the minimum).

#include "sluice/operators/core/stream_operator.hpp"

namespace sluice {

template <class In1, class In2, class Out>
class two_input_operator : public stream_operator {
public:
  /// A record of the first / second input arrived.
  virtual void process_element1(In1&& value) = 0;
  virtual void process_element2(In2&& value) = 0;

  output_base& input() override { return first_; }
  output_base& second_input() override { return second_; }
  void set_output(output_base& out) override { out_ = &static_cast<collector<Out>&>(out); }
  void process_watermark(std::int64_t wm) override { out_->emit_watermark(wm); }
  void process_watermark_status(bool idle) override { out_->emit_watermark_status(idle); }

protected:
  collector<Out>* out_ = nullptr;

private:
  template <class In, void (two_input_operator::*Process)(In&&)>
  struct input_collector final : collector<In> {
    explicit input_collector(two_input_operator& op) : op_(op) {}
    void collect(In&& value) override {
      this->count_taken();
      (op_.*Process)(std::move(value));
    }
    /// Watermarks reach the operator combined, through process_watermark.
    void emit_watermark(std::int64_t) override {}
    using collector<In>::collect;
    two_input_operator& op_;
  };

  input_collector<In1, &two_input_operator::process_element1> first_{*this};
  input_collector<In2, &two_input_operator::process_element2> second_{*this};
};

} // namespace sluice
