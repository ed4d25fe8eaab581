#pragma once
// The trigger context of window_operator: per (key, window) timers and trigger state.

#include "sluice/operators/time/timer_service.hpp"
#include "sluice/operators/time/timestamps.hpp"
#include "sluice/operators/windows/triggers.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
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
  };

  /// Points the context at (key, window); `key` must outlive the calls that follow. A non-null
  /// `event_timer_memo` (which must outlive them too) holds the time of an event-time timer of
  /// (key, window) known to be registered: registering it again skips the timer queue.
  void bind(const K& key, const W& window,
            std::optional<std::int64_t>* event_timer_memo = nullptr) {
    key_ = &key;
    window_ = window;
    memo_ = event_timer_memo;
  }
  const K& key() const { return *key_; }
  const W& window() const { return window_; }
  /// The windows merged into the current window, during trigger::on_merge.
  void set_merged(const std::vector<W>* merged) { merged_ = merged; }
  bool has_state(const K& key) const { return state_.count(key) != 0; }

  std::int64_t current_watermark() const override { return watermark; }
  std::int64_t current_processing_time() const override { return service().now_ms(); }
  void register_event_time_timer(std::int64_t time) override {
    if (memo_ == nullptr) {
      event_timers.add({*key_, window_}, time);
    } else if (*memo_ != time) {
      event_timers.add({*key_, window_}, time);
      *memo_ = time;
    }
  }
  void delete_event_time_timer(std::int64_t time) override {
    if (memo_ != nullptr) {
      memo_->reset();
    }
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
  std::optional<std::int64_t> get_state(const std::string& name) const override {
    return state_of(window_, name);
  }
  void set_state(const std::string& name, std::int64_t value) override {
    state_[*key_][window_][name] = value;
  }
  void clear_state(const std::string& name) override { clear_state_of(window_, name); }
  void merge_state(const std::string& name, state_combiner combine) override {
    if (merged_ == nullptr) {
      throw std::logic_error("trigger_merge_context: merge_state outside on_merge");
    }
    std::optional<std::int64_t> merged = get_state(name);
    for (const W& old : *merged_) {
      if (const auto value = state_of(old, name)) {
        merged = merged ? combine(*merged, *value) : *value;
      }
      clear_state_of(old, name);
    }
    if (merged) {
      set_state(name, *merged);
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
  std::optional<std::int64_t> state_of(const W& window, const std::string& name) const {
    const auto k = state_.find(*key_);
    if (k == state_.end()) {
      return std::nullopt;
    }
    const auto w = k->second.find(window);
    if (w == k->second.end()) {
      return std::nullopt;
    }
    const auto v = w->second.find(name);
    return v == w->second.end() ? std::nullopt : std::optional<std::int64_t>(v->second);
  }
  void clear_state_of(const W& window, const std::string& name) {
    const auto k = state_.find(*key_);
    if (k == state_.end()) {
      return;
    }
    const auto w = k->second.find(window);
    if (w != k->second.end() && w->second.erase(name) != 0 && w->second.empty()) {
      k->second.erase(w);
      if (k->second.empty()) {
        state_.erase(k);
      }
    }
  }

  std::optional<std::int64_t> pending_wake_;
  const K* key_ = nullptr;
  W window_{};
  std::optional<std::int64_t>* memo_ = nullptr;
  const std::vector<W>* merged_ = nullptr;
  std::unordered_map<K, std::map<W, std::map<std::string, std::int64_t>>> state_;
};

} // namespace sluice::windows_detail
