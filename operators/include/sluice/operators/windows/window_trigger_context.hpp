#pragma once
// The trigger context of window_operator: the current (key, window) in the keyed state backend,
// per (key, window) timers, and trigger state kept as keyed state in the window's namespace.

#include "sluice/operators/time/timer_queue.hpp"
#include "sluice/operators/time/timestamps.hpp"
#include "sluice/operators/windows/triggers.hpp"
#include "sluice/state/get_keyed_state.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::windows_detail {

/// Timers and trigger state of all keys and windows of one window operator; trigger calls see
/// the (key, window) last set by the operator.
template <class K, class W> class window_trigger_context final : public trigger_merge_context {
public:
  struct timer_key {
    K key;
    W window;
    bool operator==(const timer_key& o) const { return key == o.key && window == o.window; }
    SLUICE_FIELDS(key, window)
  };

  /// Keeps state in `backend` from now on.
  void open(keyed_state_backend& backend) { backend_ = &backend; }
  keyed_state_backend& backend() const { return *backend_; }

  /// Makes `key` current, here and in the backend; `key` must outlive the calls that follow.
  void set_key(const K& key) {
    key_ = &key;
    backend_->set_current_key(key);
  }
  /// Makes `window` current: trigger calls and window state use its namespace.
  void set_window(const W& window) {
    window_ = window;
    use_namespace(window);
  }
  /// Points the backend at the state of `window` without changing the current window.
  void use_namespace(const W& window) {
    // Most elements fall into the window of the element before: serialize only on a change.
    if (!namespace_of_ || !(*namespace_of_ == window)) {
      {
        byte_writer w(namespace_bytes_, 0);
        serialize(w, window);
      }
      namespace_of_ = window;
    }
    backend_->set_current_namespace(
        std::string_view(namespace_bytes_.data(), namespace_bytes_.size()));
  }
  /// Points the backend at the key's state outside any window (the merging window set).
  void use_key_namespace() { backend_->set_current_namespace({}); }

  const K& key() const { return *key_; }
  const W& window() const { return window_; }
  /// The windows merged into the current window, during trigger::on_merge.
  void set_merged(const std::vector<W>* merged) { merged_ = merged; }

  std::int64_t current_watermark() const override { return watermark; }
  std::int64_t current_processing_time() const override { return service().now_ms(); }
  void register_event_time_timer(std::int64_t time) override {
    event_timers.add({*key_, window_}, time);
  }
  void delete_event_time_timer(std::int64_t time) override {
    event_timers.remove({*key_, window_}, time);
  }
  void register_processing_time_timer(std::int64_t time) override {
    if (processing_timers.add({*key_, window_}, time)) {
      request_wake(time);
    }
  }
  void delete_processing_time_timer(std::int64_t time) override {
    processing_timers.remove({*key_, window_}, time);
  }
  std::optional<std::int64_t> get_state(const std::string& name) override {
    return trigger_state(name).value();
  }
  void set_state(const std::string& name, std::int64_t value) override {
    trigger_state(name).update(value);
  }
  void clear_state(const std::string& name) override { trigger_state(name).clear(); }
  void merge_state(const std::string& name, state_combiner combine) override {
    if (merged_ == nullptr) {
      throw std::logic_error("trigger_merge_context: merge_state outside on_merge");
    }
    value_state<std::int64_t>& state = trigger_state(name);
    std::optional<std::int64_t> merged = state.value();
    for (const W& old : *merged_) {
      use_namespace(old);
      if (const auto value = state.value()) {
        merged = merged ? combine(*merged, *value) : *value;
      }
      state.clear();
    }
    use_namespace(window_);
    if (merged) {
      state.update(*merged);
    }
  }

  /// The subtask's clock; throws std::logic_error if there is none.
  processing_time_service& service() const {
    if (clock == nullptr) {
      throw std::logic_error("window_operator: no processing-time service");
    }
    return *clock;
  }

  /// Asks the runtime for on_processing_time at `time` unless an earlier wake-up is pending.
  void request_wake(std::int64_t time) {
    if (!pending_wake_ || time < *pending_wake_) {
      pending_wake_ = time;
      service().wake_at(time);
    }
  }
  /// The clock reached `now`: wake-ups up to it are spent.
  void woke(std::int64_t now) {
    if (pending_wake_ && *pending_wake_ <= now) {
      pending_wake_.reset();
    }
  }

  processing_time_service* clock = nullptr;
  std::int64_t watermark = no_timestamp;
  timer_queue<timer_key> event_timers;
  timer_queue<timer_key> processing_timers;

private:
  /// The keyed state behind trigger state `name`, looked up in the backend once.
  value_state<std::int64_t>& trigger_state(const std::string& name) {
    for (auto& [known, state] : trigger_states_) {
      if (known == name) {
        return *state;
      }
    }
    auto& state =
        backend_->get_state(value_state_descriptor<std::int64_t>("window-trigger/" + name));
    trigger_states_.emplace_back(name, &state);
    return state;
  }

  keyed_state_backend* backend_ = nullptr;
  std::optional<std::int64_t> pending_wake_;
  const K* key_ = nullptr;
  W window_{};
  std::optional<W> namespace_of_;
  std::vector<char> namespace_bytes_;
  const std::vector<W>* merged_ = nullptr;
  /// Triggers use a state or two: a vector searched linearly beats a map.
  std::vector<std::pair<std::string, value_state<std::int64_t>*>> trigger_states_;
};

} // namespace sluice::windows_detail
