#pragma once
// assign_timestamps_and_watermarks: gives every record its event timestamp and generates
// watermarks from them with a watermark_strategy (Flink's TimestampsAndWatermarksOperator).

#include "sluice/operators/stream_operator.hpp"
#include "sluice/operators/time/watermark.hpp"
#include "sluice/operators/time/watermark_strategy.hpp"

#include <memory>

namespace sluice {

template <class T>
class timestamps_and_watermarks_operator final : public one_input_operator<T, T>,
                                                 private watermark_output {
public:
  explicit timestamps_and_watermarks_operator(watermark_strategy<T> strategy)
      : strategy_(std::move(strategy)) {}

  void open(const runtime_context& ctx) override {
    stream_operator::open(ctx);
    generator_ = strategy_.create_generator();
  }

  void collect(T&& value) override {
    this->guard([&] {
      auto& slot = *this->ctx_.element_time;
      slot.value = strategy_.extract_timestamp(static_cast<const T&>(value), slot.value);
      generator_->on_event(slot.value, *this);
      this->out_->collect(std::move(value));
      if (this->ctx_.watermark_interval_ms == 0)
        generator_->on_periodic_emit(*this);
    });
  }

  void on_periodic_watermark() override { generator_->on_periodic_emit(*this); }

  /// Watermarks from upstream are replaced by this operator's own, except the final one.
  void process_watermark(std::int64_t wm) override {
    if (wm == max_watermark)
      emit_watermark(wm);
  }
  void process_watermark_status(bool) override {}

  using one_input_operator<T, T>::collect;

private:
  void emit_watermark(std::int64_t wm) override {
    if (wm <= last_)
      return;
    mark_active();
    last_ = wm;
    this->out_->emit_watermark(wm);
  }
  void mark_idle() override {
    if (!idle_) {
      idle_ = true;
      this->out_->emit_watermark_status(true);
    }
  }
  void mark_active() override {
    if (idle_) {
      idle_ = false;
      this->out_->emit_watermark_status(false);
    }
  }

  watermark_strategy<T> strategy_;
  std::unique_ptr<watermark_generator> generator_;
  std::int64_t last_ = min_watermark;
  bool idle_ = false;
};

} // namespace sluice
