#pragma once
// Triggers decide when a window is evaluated (Flink's Trigger): the interface, its context, and
// the event-time, processing-time, count, never and purging triggers. Triggers are stateless
// and shared by all subtasks: per (key, window) state lives in the context, which keeps it in
// the operator's keyed state (Flink's getPartitionedState), so it is snapshot and rescaled.

#include "sluice/operators/windows/trigger_result.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace sluice {

/// What a trigger sees of the operator, for the current key and window.
class trigger_context {
public:
  virtual ~trigger_context() = default;
  virtual std::int64_t current_watermark() const = 0;
  virtual std::int64_t current_processing_time() const = 0;
  /// Timers for (current key, current window); re-registering the same time is a no-op.
  virtual void register_event_time_timer(std::int64_t time) = 0;
  virtual void delete_event_time_timer(std::int64_t time) = 0;
  virtual void register_processing_time_timer(std::int64_t time) = 0;
  virtual void delete_processing_time_timer(std::int64_t time) = 0;
  /// Named int64 state of (current key, current window); nullopt if unset.
  virtual std::optional<std::int64_t> get_state(const std::string& name) = 0;
  virtual void set_state(const std::string& name, std::int64_t value) = 0;
  virtual void clear_state(const std::string& name) = 0;
};

/// How two values of a merged state combine (sum for counts, min for fire times).
using state_combiner = std::int64_t (*)(std::int64_t, std::int64_t);

/// The context of trigger::on_merge: the current window is the merge result.
class trigger_merge_context : public trigger_context {
public:
  /// Folds state `name` of every merged window into the result window's (Flink's
  /// mergePartitionedState).
  virtual void merge_state(const std::string& name, state_combiner combine) = 0;
};

/// A trigger for windows of type W (Flink's Trigger). Results: see trigger_result.
template <class W> class trigger {
public:
  virtual ~trigger() = default;
  /// An element with timestamp `timestamp` was added to `window`.
  virtual trigger_result on_element(std::int64_t timestamp, const W& window,
                                    trigger_context& ctx) const = 0;
  /// An event-time timer of `window` fired at `time`.
  virtual trigger_result on_event_time(std::int64_t time, const W& window,
                                       trigger_context& ctx) const = 0;
  /// A processing-time timer of `window` fired at `time`.
  virtual trigger_result on_processing_time(std::int64_t time, const W& window,
                                            trigger_context& ctx) const = 0;
  /// Whether the trigger supports merging windows (session windows need it).
  virtual bool can_merge() const { return false; }
  /// `window` replaced merged windows; re-register timers and merge state.
  virtual void on_merge(const W&, trigger_merge_context&) const {
    throw std::logic_error("trigger: this trigger does not support merging windows");
  }
  /// The window is removed: delete its timers and state.
  virtual void clear(const W& window, trigger_context& ctx) const = 0;
};

/// Fires when the watermark passes window.max_timestamp(); an element added after that fires
/// at once (Flink's EventTimeTrigger; this makes late-but-allowed elements re-fire).
template <class W> class event_time_trigger final : public trigger<W> {
public:
  trigger_result on_element(std::int64_t, const W& window, trigger_context& ctx) const override {
    if (window.max_timestamp() <= ctx.current_watermark()) {
      return trigger_result::fire;
    }
    ctx.register_event_time_timer(window.max_timestamp());
    return trigger_result::continue_;
  }
  trigger_result on_event_time(std::int64_t time, const W& window,
                               trigger_context&) const override {
    return time == window.max_timestamp() ? trigger_result::fire : trigger_result::continue_;
  }
  trigger_result on_processing_time(std::int64_t, const W&, trigger_context&) const override {
    return trigger_result::continue_;
  }
  bool can_merge() const override { return true; }
  void on_merge(const W& window, trigger_merge_context& ctx) const override {
    if (window.max_timestamp() > ctx.current_watermark()) {
      ctx.register_event_time_timer(window.max_timestamp());
    }
  }
  void clear(const W& window, trigger_context& ctx) const override {
    ctx.delete_event_time_timer(window.max_timestamp());
  }
};

/// Fires when the processing-time clock reaches window.max_timestamp() (Flink's
/// ProcessingTimeTrigger).
template <class W> class processing_time_trigger final : public trigger<W> {
public:
  trigger_result on_element(std::int64_t, const W& window, trigger_context& ctx) const override {
    ctx.register_processing_time_timer(window.max_timestamp());
    return trigger_result::continue_;
  }
  trigger_result on_event_time(std::int64_t, const W&, trigger_context&) const override {
    return trigger_result::continue_;
  }
  trigger_result on_processing_time(std::int64_t, const W&, trigger_context&) const override {
    return trigger_result::fire;
  }
  bool can_merge() const override { return true; }
  void on_merge(const W& window, trigger_merge_context& ctx) const override {
    if (window.max_timestamp() > ctx.current_processing_time()) {
      ctx.register_processing_time_timer(window.max_timestamp());
    }
  }
  void clear(const W& window, trigger_context& ctx) const override {
    ctx.delete_processing_time_timer(window.max_timestamp());
  }
};

/// Never fires (the default trigger of global windows, Flink's GlobalWindows.NeverTrigger).
template <class W> class never_trigger final : public trigger<W> {
public:
  trigger_result on_element(std::int64_t, const W&, trigger_context&) const override {
    return trigger_result::continue_;
  }
  trigger_result on_event_time(std::int64_t, const W&, trigger_context&) const override {
    return trigger_result::continue_;
  }
  trigger_result on_processing_time(std::int64_t, const W&, trigger_context&) const override {
    return trigger_result::continue_;
  }
  void clear(const W&, trigger_context&) const override {}
};

/// Fires once `max_count` elements have arrived in the window since it last fired (Flink's
/// CountTrigger).
template <class W> class count_trigger final : public trigger<W> {
public:
  explicit count_trigger(std::int64_t max_count) : max_count_(max_count) {}

  trigger_result on_element(std::int64_t, const W&, trigger_context& ctx) const override {
    const std::int64_t count = ctx.get_state(state_name).value_or(0) + 1;
    if (count >= max_count_) {
      ctx.clear_state(state_name);
      return trigger_result::fire;
    }
    ctx.set_state(state_name, count);
    return trigger_result::continue_;
  }
  trigger_result on_event_time(std::int64_t, const W&, trigger_context&) const override {
    return trigger_result::continue_;
  }
  trigger_result on_processing_time(std::int64_t, const W&, trigger_context&) const override {
    return trigger_result::continue_;
  }
  bool can_merge() const override { return true; }
  void on_merge(const W&, trigger_merge_context& ctx) const override {
    ctx.merge_state(state_name, [](std::int64_t a, std::int64_t b) { return a + b; });
  }
  void clear(const W&, trigger_context& ctx) const override { ctx.clear_state(state_name); }

private:
  static inline const std::string state_name = "count";
  std::int64_t max_count_;
};

/// Turns every fire of the wrapped trigger into fire_and_purge (Flink's PurgingTrigger).
template <class W> class purging_trigger final : public trigger<W> {
public:
  explicit purging_trigger(std::shared_ptr<const trigger<W>> nested) : nested_(std::move(nested)) {}
  template <class T, class = std::enable_if_t<std::is_base_of_v<trigger<W>, T>>>
  explicit purging_trigger(T nested) : nested_(std::make_shared<T>(std::move(nested))) {}

  trigger_result on_element(std::int64_t timestamp, const W& window,
                            trigger_context& ctx) const override {
    return purging(nested_->on_element(timestamp, window, ctx));
  }
  trigger_result on_event_time(std::int64_t time, const W& window,
                               trigger_context& ctx) const override {
    return purging(nested_->on_event_time(time, window, ctx));
  }
  trigger_result on_processing_time(std::int64_t time, const W& window,
                                    trigger_context& ctx) const override {
    return purging(nested_->on_processing_time(time, window, ctx));
  }
  bool can_merge() const override { return nested_->can_merge(); }
  void on_merge(const W& window, trigger_merge_context& ctx) const override {
    nested_->on_merge(window, ctx);
  }
  void clear(const W& window, trigger_context& ctx) const override { nested_->clear(window, ctx); }

private:
  static trigger_result purging(trigger_result r) {
    return is_fire(r) ? trigger_result::fire_and_purge : r;
  }
  std::shared_ptr<const trigger<W>> nested_;
};

} // namespace sluice
