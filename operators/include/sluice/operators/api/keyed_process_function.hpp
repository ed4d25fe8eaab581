#pragma once
// Flink's KeyedProcessFunction: a function on a keyed stream that sees each element with its
// key and timestamp, the current watermark and processing time, registers per-key timers in
// event time and processing time, and emits to its output and to side outputs.

#include "sluice/operators/api/output_tag.hpp"
#include "sluice/operators/core/collector.hpp"
#include "sluice/operators/core/runtime_context.hpp"
#include "sluice/operators/windows/window_assigners.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace sluice {

/// Timers of the current key (Flink's TimerService): at most one per key, time and domain.
class timer_service {
public:
  virtual ~timer_service() = default;
  virtual std::int64_t current_processing_time() const = 0;
  virtual std::int64_t current_watermark() const = 0;
  /// Fires on_timer(time) once the watermark reaches `time`; registering it again is a no-op.
  virtual void register_event_time_timer(std::int64_t time) = 0;
  /// Fires on_timer(time) once the subtask's processing-time clock reaches `time`.
  virtual void register_processing_time_timer(std::int64_t time) = 0;
  /// Removes a timer of the current key; does nothing if there is none at `time`.
  virtual void delete_event_time_timer(std::int64_t time) = 0;
  virtual void delete_processing_time_timer(std::int64_t time) = 0;
};

/// A process function on a keyed stream; state and timers are per key.
template <class K, class In, class Out>
class keyed_process_function {
public:
  using key_type = K;
  using input_type = In;
  using output_type = Out;

  /// What process_element sees besides the element.
  class context : public side_output_context {
  public:
    virtual const K& current_key() const = 0;
    /// The element's timestamp (in on_timer: the timer's time); none if it has none.
    virtual std::optional<std::int64_t> timestamp() const = 0;
    virtual std::int64_t current_watermark() const = 0;
    virtual std::int64_t current_processing_time() const = 0;
    /// Timers of the current key.
    virtual sluice::timer_service& timer_service() = 0;

  protected:
    /// The operator's runtime context (for contexts that extend this one, e.g. with the
    /// broadcast state of keyed_broadcast_process_function).
    virtual const runtime_context& operator_context() const = 0;
  };

  /// What on_timer sees: the context of the timer's key, at the timer's time.
  class on_timer_context : public context {
  public:
    /// Whether an event-time or a processing-time timer fired.
    virtual sluice::time_domain time_domain() const = 0;
  };

  virtual ~keyed_process_function() = default;
  virtual void open(const runtime_context&) {}
  virtual void process_element(In&& value, context& ctx, collector<Out>& out) = 0;
  /// A timer of ctx.current_key() registered for `timestamp` fired.
  virtual void on_timer(std::int64_t /*timestamp*/, on_timer_context&, collector<Out>&) {}
  /// All input has arrived; emit what is still pending.
  virtual void on_end_of_input(collector<Out>&) {}
  virtual void close() {}
};

} // namespace sluice
