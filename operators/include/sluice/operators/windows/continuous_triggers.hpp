#pragma once
// Triggers that fire periodically while a window is open: Flink's ContinuousEventTimeTrigger
// and ContinuousProcessingTimeTrigger.

#include "sluice/operators/windows/triggers.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

namespace sluice {

namespace windows_detail {

inline const std::string fire_time_state = "fire-time";

inline std::int64_t min_combiner(std::int64_t a, std::int64_t b) { return std::min(a, b); }

/// Registers min(time + interval, window end) as the next periodic fire time.
template <class W, class Register>
void register_next_fire(std::int64_t time, std::int64_t interval, const W& window,
                        trigger_context& ctx, Register register_timer) {
  const std::int64_t next = std::min(time + interval, window.max_timestamp());
  const auto stored = ctx.get_state(fire_time_state);
  ctx.set_state(fire_time_state, stored ? std::min(*stored, next) : next);
  register_timer(next);
}

} // namespace windows_detail

/// Fires every `interval` ms of event time (at multiples of the interval) and at the window's
/// end; an element arriving after the window's end fires at once.
template <class W> class continuous_event_time_trigger final : public trigger<W> {
public:
  explicit continuous_event_time_trigger(std::int64_t interval) : interval_(interval) {}

  trigger_result on_element(std::int64_t timestamp, const W& window,
                            trigger_context& ctx) const override {
    if (window.max_timestamp() <= ctx.current_watermark()) {
      return trigger_result::fire;
    }
    ctx.register_event_time_timer(window.max_timestamp());
    if (!ctx.get_state(windows_detail::fire_time_state)) {
      register_next(timestamp - (timestamp % interval_), window, ctx);
    }
    return trigger_result::continue_;
  }
  trigger_result on_event_time(std::int64_t time, const W& window,
                               trigger_context& ctx) const override {
    if (time == window.max_timestamp()) {
      return trigger_result::fire;
    }
    const auto fire_time = ctx.get_state(windows_detail::fire_time_state);
    if (fire_time && *fire_time == time) {
      ctx.clear_state(windows_detail::fire_time_state);
      register_next(time, window, ctx);
      return trigger_result::fire;
    }
    return trigger_result::continue_;
  }
  trigger_result on_processing_time(std::int64_t, const W&, trigger_context&) const override {
    return trigger_result::continue_;
  }
  bool can_merge() const override { return true; }
  void on_merge(const W&, trigger_merge_context& ctx) const override {
    ctx.merge_state(windows_detail::fire_time_state, windows_detail::min_combiner);
    if (const auto next = ctx.get_state(windows_detail::fire_time_state)) {
      ctx.register_event_time_timer(*next);
    }
  }
  void clear(const W&, trigger_context& ctx) const override {
    if (const auto fire_time = ctx.get_state(windows_detail::fire_time_state)) {
      ctx.delete_event_time_timer(*fire_time);
      ctx.clear_state(windows_detail::fire_time_state);
    }
  }

private:
  void register_next(std::int64_t time, const W& window, trigger_context& ctx) const {
    windows_detail::register_next_fire(time, interval_, window, ctx,
                                       [&](std::int64_t t) { ctx.register_event_time_timer(t); });
  }
  std::int64_t interval_;
};

/// Fires every `interval` ms of processing time (at multiples of the interval) and at the
/// window's end.
template <class W> class continuous_processing_time_trigger final : public trigger<W> {
public:
  explicit continuous_processing_time_trigger(std::int64_t interval) : interval_(interval) {}

  trigger_result on_element(std::int64_t, const W& window, trigger_context& ctx) const override {
    const std::int64_t now = ctx.current_processing_time();
    if (!ctx.get_state(windows_detail::fire_time_state)) {
      register_next(now - (now % interval_), window, ctx);
    }
    return trigger_result::continue_;
  }
  trigger_result on_event_time(std::int64_t, const W&, trigger_context&) const override {
    return trigger_result::continue_;
  }
  trigger_result on_processing_time(std::int64_t time, const W& window,
                                    trigger_context& ctx) const override {
    if (time == window.max_timestamp()) {
      return trigger_result::fire;
    }
    const auto fire_time = ctx.get_state(windows_detail::fire_time_state);
    if (fire_time && *fire_time == time) {
      ctx.clear_state(windows_detail::fire_time_state);
      register_next(time, window, ctx);
      return trigger_result::fire;
    }
    return trigger_result::continue_;
  }
  bool can_merge() const override { return true; }
  void on_merge(const W&, trigger_merge_context& ctx) const override {
    ctx.merge_state(windows_detail::fire_time_state, windows_detail::min_combiner);
    if (const auto next = ctx.get_state(windows_detail::fire_time_state)) {
      ctx.register_processing_time_timer(*next);
    }
  }
  void clear(const W&, trigger_context& ctx) const override {
    if (const auto fire_time = ctx.get_state(windows_detail::fire_time_state)) {
      ctx.delete_processing_time_timer(*fire_time);
      ctx.clear_state(windows_detail::fire_time_state);
    }
  }

private:
  void register_next(std::int64_t time, const W& window, trigger_context& ctx) const {
    windows_detail::register_next_fire(time, interval_, window, ctx, [&](std::int64_t t) {
      ctx.register_processing_time_timer(t);
    });
  }
  std::int64_t interval_;
};

} // namespace sluice
