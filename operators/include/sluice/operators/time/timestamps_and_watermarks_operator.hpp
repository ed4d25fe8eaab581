#pragma once
// assign_timestamps_and_watermarks: gives every record its event timestamp and generates
// watermarks from them with a watermark_strategy (Flink's TimestampsAndWatermarksOperator).
// Records from a source that reads several splits carry their split (runtime_context::split):
// each split then has its own generator (from its first record, or from its assignment for
// sources that announce it), and the output watermark is the minimum over the splits that are
// not idle; a split read to the end stops counting (Flink's per-split watermarks). A source's own idleness is forwarded while it has emitted no record.

#include "sluice/operators/core/stream_operator.hpp"
#include "sluice/operators/time/watermark.hpp"
#include "sluice/operators/time/watermark_strategy.hpp"

#include <algorithm>
#include <map>
#include <memory>

namespace sluice {

template <class T>
class timestamps_and_watermarks_operator final : public one_input_operator<T, T> {
public:
  explicit timestamps_and_watermarks_operator(watermark_strategy<T> strategy)
      : strategy_(std::move(strategy)) {}

  void collect(T&& value) override {
    this->count_taken();
    this->guard([&] {
      auto& slot = *this->ctx_.element_time;
      slot.value = strategy_.extract_timestamp(static_cast<const T&>(value), slot.value);
      auto& split = current_split();
      split.generator->on_event(slot.value, split);
      if (auto wm = strategy_.punctuated_watermark(static_cast<const T&>(value), slot.value))
        split.emit_watermark(*wm);
      this->out_->collect(std::move(value));
      if (this->ctx_.watermark_interval_ms == 0)
        split.generator->on_periodic_emit(split);
      if (split.changed || splits_changing())
        emit_combined();
    });
  }

  void on_periodic_watermark() override {
    for (auto& [id, split] : splits_)
      split.generator->on_periodic_emit(split);
    emit_combined();
  }

  /// Watermarks from upstream are replaced by this operator's own, except the final one.
  void process_watermark(std::int64_t wm) override {
    if (wm == max_watermark)
      emit(wm);
  }
  /// A source subtask that reads nothing (e.g. no Kafka partition assigned) says it is idle;
  /// that is forwarded until records arrive, whose splits then decide (Flink's idle readers).
  void process_watermark_status(bool idle) override {
    if (splits_.empty())
      set_idle(idle);
  }

  using one_input_operator<T, T>::collect;

private:
  /// The watermarks of one split, as its generator reports them; `changed` until the
  /// combined watermark has taken them into account.
  struct split_watermarks final : watermark_output {
    void emit_watermark(std::int64_t w) override {
      if (w > watermark || idle) {
        watermark = std::max(watermark, w);
        idle = false;
        changed = true;
      }
    }
    void mark_idle() override { set_idle(true); }
    void mark_active() override { set_idle(false); }
    void set_idle(bool now) {
      changed |= now != idle;
      idle = now;
    }
    std::unique_ptr<watermark_generator> generator;
    std::int64_t watermark = min_watermark;
    bool idle = false;
    bool changed = true;
  };

  split_watermarks& split(std::int64_t id) {
    auto [it, inserted] = splits_.try_emplace(id);
    if (inserted)
      it->second.generator = strategy_.create_generator();
    return it->second;
  }

  /// The split of the record at hand; the map is searched only when the split changes (most
  /// sources read one at a time, or none).
  split_watermarks& current_split() {
    const std::int64_t id = this->ctx_.split ? this->ctx_.split->current : split_slot::none;
    if (current_ == nullptr || id != current_id_) {
      current_ = &split(id);
      current_id_ = id;
    }
    return *current_;
  }

  /// Whether the source has assigned or finished splits since the last combined watermark.
  bool splits_changing() const {
    const auto* slot = this->ctx_.split;
    return slot != nullptr && (!slot->assigned.empty() || !slot->finished.empty());
  }

  /// Emits the minimum over the splits that are not idle, or idleness if all are.
  void emit_combined() {
    if (auto* slot = this->ctx_.split) {
      for (auto id : slot->assigned)
        split(id);
      slot->assigned.clear();
      for (auto id : slot->finished)
        splits_.erase(id);
      if (!slot->finished.empty())
        current_ = nullptr;
      slot->finished.clear();
    }
    std::int64_t combined = max_watermark;
    bool any_active = false;
    for (auto& [id, split] : splits_) {
      split.changed = false;
      if (!split.idle) {
        combined = std::min(combined, split.watermark);
        any_active = true;
      }
    }
    if (any_active)
      emit(combined);
    else if (!splits_.empty())
      set_idle(true);
  }

  void emit(std::int64_t wm) {
    if (wm <= last_)
      return;
    set_idle(false);
    last_ = wm;
    this->out_->emit_watermark(wm);
  }

  void set_idle(bool idle) {
    if (idle != idle_) {
      idle_ = idle;
      this->out_->emit_watermark_status(idle);
    }
  }

  watermark_strategy<T> strategy_;
  std::map<std::int64_t, split_watermarks> splits_;
  split_watermarks* current_ = nullptr; ///< the split of current_id_ (map nodes stay put)
  std::int64_t current_id_ = split_slot::none;
  std::int64_t last_ = min_watermark;
  bool idle_ = false;
};

} // namespace sluice
