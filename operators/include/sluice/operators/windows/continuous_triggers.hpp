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

/// The timer calls of the event-time domain.
struct event_time_timers {
  static void add(trigger_context& ctx, std::int64_t t) { ctx.register_event_time_timer(t); }
  static void remove(trigger_context& ctx, std::int64_t t) { ctx.delete_event_time_timer(t); }
};

/// The timer calls of the processing-time domain.
struct processing_time_timers {
  static void add(trigger_context& ctx, std::int64_t t) { ctx.register_processing_time_timer(t); }
  static void remove(trigger_context& ctx, std::int64_t t) {
    ctx.delete_processing_time_timer(t);
  }
};

/// What the continuous triggers share: the next periodic fire time, kept as trigger state and
/// registered as a timer of the domain Timers stands for, merged by minimum.
template <class W, class Timers> class continuous_trigger : public trigger<W> {
public:
  bool can_merge() const override { return true; }
  void on_merge(const W&, trigger_merge_context& ctx) const override {
    ctx.merge_state(fire_time_state, min_combiner);
    if (const auto next = ctx.get_state(fire_time_state)) {
      Timers::add(ctx, *next);
    }
  }
  void clear(const W&, trigger_context& ctx) const override {
    if (const auto fire_time = ctx.get_state(fire_time_state)) {
      Timers::remove(ctx, *fire_time);
      ctx.clear_state(fire_time_state);
    }
  }

protected:
  explicit continuous_trigger(std::int64_t interval) : interval_(interval) {}

  /// A timer of the trigger's own domain: fires at the window's end and at the periodic fire
  /// time, registering the next one.
  trigger_result on_own_timer(std::int64_t time, const W& window, trigger_context& ctx) const {
    if (time == window.max_timestamp()) {
      return trigger_result::fire;
    }
    const auto fire_time = ctx.get_state(fire_time_state);
    if (fire_time && *fire_time == time) {
      ctx.clear_state(fire_time_state);
      register_next(time, window, ctx);
      return trigger_result::fire;
    }
    return trigger_result::continue_;
  }
  /// Starts the periodic firing at the multiple of the interval at or before `time`, unless
  /// it runs already.
  void start_if_idle(std::int64_t time, const W& window, trigger_context& ctx) const {
    if (!ctx.get_state(fire_time_state)) {
      register_next(time - (time % interval_), window, ctx);
    }
  }

private:
  /// Registers min(time + interval, window end) as the next periodic fire time.
  void register_next(std::int64_t time, const W& window, trigger_context& ctx) const {
    const std::int64_t next = std::min(time + interval_, window.max_timestamp());
    const auto stored = ctx.get_state(fire_time_state);
    ctx.set_state(fire_time_state, stored ? std::min(*stored, next) : next);
    Timers::add(ctx, next);
  }

  std::int64_t interval_;
};

} // namespace windows_detail

/// Fires every `interval` ms of event time (at multiples of the interval) and at the window's
/// end; an element arriving after the window's end fires at once.
template <class W>
class continuous_event_time_trigger final
    : public windows_detail::continuous_trigger<W, windows_detail::event_time_timers> {
public:
  explicit continuous_event_time_trigger(std::int64_t interval)
      : continuous_event_time_trigger::continuous_trigger(interval) {}

  trigger_result on_element(std::int64_t timestamp, const W& window,
                            trigger_context& ctx) const override {
    if (window.max_timestamp() <= ctx.current_watermark()) {
      return trigger_result::fire;
    }
    ctx.register_event_time_timer(window.max_timestamp());
    this->start_if_idle(timestamp, window, ctx);
    return trigger_result::continue_;
  }
  trigger_result on_event_time(std::int64_t time, const W& window,
                               trigger_context& ctx) const override {
    return this->on_own_timer(time, window, ctx);
  }
  trigger_result on_processing_time(std::int64_t, const W&, trigger_context&) const override {
    return trigger_result::continue_;
  }
};

/// Fires every `interval` ms of processing time (at multiples of the interval) and at the
/// window's end.
template <class W>
class continuous_processing_time_trigger final
    : public windows_detail::continuous_trigger<W, windows_detail::processing_time_timers> {
public:
  explicit continuous_processing_time_trigger(std::int64_t interval)
      : continuous_processing_time_trigger::continuous_trigger(interval) {}

  trigger_result on_element(std::int64_t, const W& window, trigger_context& ctx) const override {
    this->start_if_idle(ctx.current_processing_time(), window, ctx);
    return trigger_result::continue_;
  }
  trigger_result on_event_time(std::int64_t, const W&, trigger_context&) const override {
    return trigger_result::continue_;
  }
  trigger_result on_processing_time(std::int64_t time, const W& window,
                                    trigger_context& ctx) const override {
    return this->on_own_timer(time, window, ctx);
  }
};

} // namespace sluice
