#pragma once
// Watermark generators (Flink's WatermarkGenerator and its built-in implementations). A
// generator sees every element's timestamp (on_event) and is asked periodically, every
// auto-watermark interval, for a watermark (on_periodic_emit). One generator per subtask (or
// per source split); not thread-safe.

#include "sluice/operators/time/clock.hpp"
#include "sluice/operators/time/watermark.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>

namespace sluice {

/// Where a generator sends watermarks and idleness (Flink's WatermarkOutput). Contract of the
/// implementation (as in Flink): emit_watermark also marks the output active again if it was
/// idle, and a watermark not above the highest one already emitted is dropped, so generators may
/// emit the same watermark repeatedly.
class watermark_output {
public:
  virtual ~watermark_output() = default;
  virtual void emit_watermark(std::int64_t watermark) = 0;
  /// No watermarks come for now: downstream minimums stop waiting for this output.
  virtual void mark_idle() = 0;
  /// The output is active again (after mark_idle).
  virtual void mark_active() = 0;
};

/// Generates watermarks from element timestamps (Flink's WatermarkGenerator).
class watermark_generator {
public:
  virtual ~watermark_generator() = default;
  /// Called for every element, with its (already assigned) timestamp. Punctuated generators
  /// emit here.
  virtual void on_event(std::int64_t event_timestamp, watermark_output& out) = 0;
  /// Called every watermark interval. Periodic generators emit here.
  virtual void on_periodic_emit(watermark_output& out) = 0;
};

/// Flink's BoundedOutOfOrdernessWatermarks: elements are at most `bound_ms` late relative to the
/// highest timestamp seen; emits `max_timestamp - bound_ms - 1` periodically (min_watermark
/// before the first element; never overflows).
class bounded_out_of_orderness_generator : public watermark_generator {
public:
  explicit bounded_out_of_orderness_generator(std::int64_t bound_ms)
      : bound_ms_(checked_bound(bound_ms)), max_timestamp_(min_watermark + bound_ms_ + 1) {}

  void on_event(std::int64_t event_timestamp, watermark_output&) override {
    if (event_timestamp > max_timestamp_)
      max_timestamp_ = event_timestamp;
  }
  void on_periodic_emit(watermark_output& out) override {
    out.emit_watermark(max_timestamp_ - bound_ms_ - 1);
  }

private:
  static std::int64_t checked_bound(std::int64_t bound_ms) {
    if (bound_ms < 0)
      throw std::invalid_argument("bounded out-of-orderness: the bound must not be negative");
    return bound_ms;
  }

  std::int64_t bound_ms_;
  std::int64_t max_timestamp_;
};

/// Flink's AscendingTimestampsWatermarks: timestamps never decrease (bound 0), so the watermark
/// is `max_timestamp - 1`.
class monotonous_generator final : public bounded_out_of_orderness_generator {
public:
  monotonous_generator() : bounded_out_of_orderness_generator(0) {}
};

/// Flink's WatermarksWithIdleness: wraps a generator and marks the output idle when no element
/// arrived for longer than the timeout. As in Flink, idleness is only checked in
/// on_periodic_emit: the countdown starts at the first periodic emit that saw no element since
/// the previous one, and the output is marked idle (once) at the first periodic emit more than
/// `timeout_ms` after that; while idle the wrapped generator is not asked for watermarks. The
/// next element ends idleness: it calls mark_active() on its output (Flink re-activates at the
/// next emitted watermark; explicit here so the status never lags an element).
class watermarks_with_idleness final : public watermark_generator {
public:
  /// `timeout_ms` must be > 0; `time` is read at periodic emits only.
  watermarks_with_idleness(std::unique_ptr<watermark_generator> inner, std::int64_t timeout_ms,
                           std::shared_ptr<const clock> time)
      : inner_(std::move(inner)), timeout_ms_(timeout_ms), clock_(std::move(time)) {
    if (timeout_ms_ <= 0)
      throw std::invalid_argument("idleness timeout must be greater than zero");
    if (!inner_ || !clock_)
      throw std::invalid_argument("watermarks_with_idleness: null generator or clock");
  }

  void on_event(std::int64_t event_timestamp, watermark_output& out) override {
    if (idle_) {
      idle_ = false;
      out.mark_active();
    }
    inner_->on_event(event_timestamp, out);
    active_since_check_ = true;
  }

  void on_periodic_emit(watermark_output& out) override {
    if (!check_if_idle()) {
      inner_->on_periodic_emit(out);
    } else if (!idle_) {
      idle_ = true;
      out.mark_idle();
    }
  }

  /// Whether this generator has marked its output idle (and no element came since).
  bool idle() const { return idle_; }

private:
  /// Flink's IdlenessTimer.checkIfIdle.
  bool check_if_idle() {
    if (active_since_check_) {
      active_since_check_ = false;
      inactive_since_ms_.reset();
      return false;
    }
    if (!inactive_since_ms_) {
      inactive_since_ms_ = clock_->now_ms();
      return false;
    }
    return clock_->now_ms() - *inactive_since_ms_ > timeout_ms_;
  }

  std::unique_ptr<watermark_generator> inner_;
  std::int64_t timeout_ms_;
  std::shared_ptr<const clock> clock_;
  bool active_since_check_ = false;
  std::optional<std::int64_t> inactive_since_ms_; ///< start of the countdown, if running
  bool idle_ = false;
};

} // namespace sluice
