#pragma once
// Flink's broadcast state pattern, the functions: a stream connected to a broadcast stream is
// processed by a broadcast_process_function (or, if the stream is keyed, a
// keyed_broadcast_process_function). Elements of the broadcast input reach every subtask and
// may change the broadcast state (process_broadcast_element, read-write); elements of the other
// input may only read it (process_element, read-only), so that every subtask's copy stays the
// same. The keyed variant also has the current key, keyed state and timers, as a keyed process
// function.

#include "sluice/operators/api/keyed_process_function.hpp"
#include "sluice/operators/api/output_tag.hpp"
#include "sluice/operators/core/collector.hpp"
#include "sluice/state/operator_state_backend.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace sluice {

/// What every context of a broadcast process function has (Flink's
/// BaseBroadcastProcessFunction.Context) but access to the broadcast state.
class broadcast_context_base : public side_output_context {
public:
  /// The element's timestamp; none if it has none.
  virtual std::optional<std::int64_t> timestamp() const = 0;
  /// The minimum of both inputs' watermarks.
  virtual std::int64_t current_watermark() const = 0;
  virtual std::int64_t current_processing_time() const = 0;

protected:
  /// The operator's broadcast states.
  virtual operator_state_backend& broadcast_states() = 0;
};

/// The broadcast side's context: the broadcast state is read-write.
class broadcast_context : public broadcast_context_base {
public:
  template <class K, class V>
  broadcast_state<K, V>& get_broadcast_state(const map_state_descriptor<K, V>& d) {
    return broadcast_states().get_broadcast_state(d);
  }
};

/// The element side's context (non-keyed): the broadcast state is read-only.
class read_only_broadcast_context : public broadcast_context_base {
public:
  template <class K, class V>
  const read_only_broadcast_state<K, V>& get_broadcast_state(const map_state_descriptor<K, V>& d) {
    return broadcast_states().get_broadcast_state(d);
  }
};

/// Processes a non-keyed stream connected to a broadcast stream of B.
template <class In, class B, class Out>
class broadcast_process_function {
public:
  using input_type = In;
  using broadcast_type = B;
  using output_type = Out;
  using read_only_context = read_only_broadcast_context;
  using context = broadcast_context;

  virtual ~broadcast_process_function() = default;
  virtual void open(const runtime_context&) {}
  virtual void process_element(In&& value, read_only_context& ctx, collector<Out>& out) = 0;
  virtual void process_broadcast_element(B&& value, context& ctx, collector<Out>& out) = 0;
  /// All input of both sides has arrived; emit what is still pending.
  virtual void on_end_of_input(collector<Out>&) {}
  virtual void close() {}
};

/// Processes a keyed stream connected to a broadcast stream of B.
template <class K, class In, class B, class Out>
class keyed_broadcast_process_function {
public:
  using key_type = K;
  using input_type = In;
  using broadcast_type = B;
  using output_type = Out;

  /// The element side's context: a keyed process function's (key, timers, side outputs) with
  /// read-only broadcast state.
  class read_only_context : public keyed_process_function<K, In, Out>::context {
  public:
    template <class UK, class UV>
    const read_only_broadcast_state<UK, UV>&
    get_broadcast_state(const map_state_descriptor<UK, UV>& d) {
      return this->operator_context().operator_state->get_broadcast_state(d);
    }
  };
  /// What on_timer sees: the element side's context of the timer's key.
  class on_timer_context : public read_only_context {
  public:
    virtual sluice::time_domain time_domain() const = 0;
  };
  /// The broadcast side's context: no current key; read-write broadcast state.
  using context = broadcast_context;

  virtual ~keyed_broadcast_process_function() = default;
  virtual void open(const runtime_context&) {}
  virtual void process_element(In&& value, read_only_context& ctx, collector<Out>& out) = 0;
  virtual void process_broadcast_element(B&& value, context& ctx, collector<Out>& out) = 0;
  /// A timer of ctx.current_key() registered for `timestamp` fired.
  virtual void on_timer(std::int64_t /*timestamp*/, on_timer_context&, collector<Out>&) {}
  virtual void on_end_of_input(collector<Out>&) {}
  virtual void close() {}
};

} // namespace sluice
