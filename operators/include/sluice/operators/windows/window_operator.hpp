#pragma once
// The keyed window operator (Flink's WindowOperator): assigns each element to windows, keeps
// per (key, window) contents through a contents policy (window_functions.hpp, evictors.hpp),
// asks the trigger when to fire, merges session windows, handles allowed lateness and routes
// late records to a side output.

#include "sluice/operators/stream_operator.hpp"
#include "sluice/operators/windows/merge_windows.hpp"
#include "sluice/operators/windows/window_contents_table.hpp"
#include "sluice/operators/windows/window_functions.hpp"
#include "sluice/operators/windows/window_operator_support.hpp"
#include "sluice/operators/windows/window_trigger_context.hpp"

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

namespace sluice {

template <class K, class T, class KeySelector, class Assigner, class Contents>
class window_operator final : public one_input_operator<T, typename Contents::output_type> {
  using Out = typename Contents::output_type;
  using W = window_type_t<Assigner, T>;
  using contents_type = typename Contents::contents_type;
  using base = one_input_operator<T, Out>;

public:
  using output_type = Out;

  window_operator(KeySelector key, Assigner assigner, Contents contents,
                  window_settings<W> settings)
      : key_(std::move(key)), assigner_(std::move(assigner)), contents_(std::move(contents)),
        trigger_(settings.window_trigger ? std::move(settings.window_trigger)
                                         : windows_detail::default_trigger<W>(assigner_)),
        allowed_lateness_(settings.allowed_lateness), late_tag_(std::move(settings.late_data_tag)),
        event_time_(windows_detail::is_event_time(assigner_)) {
    if (allowed_lateness_ < 0) {
      throw std::invalid_argument("window_operator: allowed lateness must be >= 0");
    }
    if (Assigner::is_merging() && !trigger_->can_merge()) {
      throw std::invalid_argument("window_operator: the trigger cannot merge session windows");
    }
  }

  void open(const runtime_context& ctx) override {
    stream_operator::open(ctx);
    tctx_.clock = ctx.processing_time;
  }

  void collect(T&& value) override {
    this->guard([&] { process_element(std::move(value)); });
  }
  using base::collect;

  void process_watermark(std::int64_t wm) override {
    this->guard([&] {
      tctx_.watermark = wm;
      tctx_.event_timers.fire_until(
          wm, [&](const timer_key& t, std::int64_t time) { on_timer(t, time, true); });
    });
    this->out_->emit_watermark(wm);
  }

  void on_processing_time(std::int64_t now) override {
    this->guard([&] {
      tctx_.woke(now);
      tctx_.processing_timers.fire_until(
          now, [&](const timer_key& t, std::int64_t time) { on_timer(t, time, false); });
      if (const auto next = tctx_.processing_timers.earliest()) {
        tctx_.request_wake(*next);
      }
    });
  }

  /// Records dropped as late because no late-data side output consumed them.
  std::int64_t num_late_records_dropped() const { return late_dropped_; }

private:
  using timer_key = typename windows_detail::window_trigger_context<K, W>::timer_key;
  using contents_table = windows_detail::window_contents_table<W, contents_type>;
  struct key_state {
    contents_table contents;      ///< by state window
    merging_window_set in_flight; ///< merging assigners only
  };

  void process_element(T&& value) {
    const std::int64_t ts = this->ctx_.current_timestamp();
    if (event_time_ && ts == no_timestamp) {
      throw std::runtime_error("window_operator: record has no timestamp; event-time windows "
                               "need timestamps (assign a watermark strategy)");
    }
    const std::int64_t assign_time = event_time_ ? ts : tctx_.service().now_ms();
    const auto windows = windows_detail::assign_windows(assigner_, value, assign_time);
    const K key = key_(static_cast<const T&>(value));
    key_state& ks = keys_[key];
    bool skipped = true;
    for (std::size_t i = 0; i < windows.size(); ++i) {
      W window = windows[i];
      W state_window = window;
      if constexpr (Assigner::is_merging()) {
        const add_window_result added = ks.in_flight.add_window(window);
        for (const window_merge& m : added.merges) {
          apply_merge(key, ks, m);
        }
        window = added.window;
        if (is_window_late(window)) {
          ks.in_flight.retire_window(window);
          continue;
        }
        state_window = *ks.in_flight.state_window(window);
      } else if (is_window_late(window)) {
        continue;
      }
      skipped = false;
      T element = i + 1 == windows.size() ? T(std::move(value)) : T(value);
      auto* found = ks.contents.find(state_window);
      const bool created = found == nullptr;
      if (created) {
        found = &ks.contents.emplace(state_window, contents_.create(std::move(element), ts));
      } else {
        contents_.add(found->contents, std::move(element), ts);
      }
      // The memo holds timers of the in-flight window, which is the state window unless merging.
      tctx_.bind(key, window, Assigner::is_merging() ? nullptr : &found->event_timer);
      const trigger_result result = trigger_->on_element(ts, window, tctx_);
      tctx_.bind(key, window);
      fire_and_purge(ks, found, window, result);
      // A window's cleanup timer is registered with its first element (Flink registers it with
      // every element; the timer queue would drop the duplicates, at a cost per element).
      // Merging windows change with merges, so they register every time.
      if (created || Assigner::is_merging())
        register_cleanup_timer(window);
    }
    if (skipped && is_element_late(ts)) {
      if (output_base* late = late_tag_.empty() ? nullptr : this->side_output(late_tag_)) {
        static_cast<collector<T>*>(late)->collect(std::move(value));
      } else {
        ++late_dropped_;
      }
    }
    prune(key, ks);
  }

  /// Flink's MergeFunction: moves triggers and cleanup timers to the merge result, then
  /// merges the contents of the merged state windows into its state window.
  void apply_merge(const K& key, key_state& ks, const window_merge& m) {
    const W& result = m.result;
    if (event_time_ && windows_detail::saturating_add(result.max_timestamp(), allowed_lateness_) <=
                           tctx_.watermark) {
      throw std::logic_error("window_operator: merging made an event-time window end before "
                             "the current watermark");
    }
    if (!event_time_ && result.max_timestamp() <= tctx_.service().now_ms()) {
      throw std::logic_error("window_operator: merging made a processing-time window end "
                             "before the current processing time");
    }
    tctx_.bind(key, result);
    tctx_.set_merged(&m.merged);
    trigger_->on_merge(result, tctx_);
    tctx_.set_merged(nullptr);
    for (const W& old : m.merged) {
      tctx_.bind(key, old);
      trigger_->clear(old, tctx_);
      delete_cleanup_timer(old);
    }
    for (const W& from : m.merged_state_windows) {
      auto* source = ks.contents.find(from);
      if (source == nullptr) {
        continue;
      }
      if (auto* target = ks.contents.find(m.state_window)) {
        contents_.merge(target->contents, std::move(source->contents));
        ks.contents.erase(source);
      } else {
        source->window = m.state_window;
        source->event_timer.reset();
      }
    }
  }

  void on_timer(const timer_key& t, std::int64_t time, bool event_timer) {
    key_state& ks = keys_[t.key];
    W state_window = t.window;
    if constexpr (Assigner::is_merging()) {
      const auto found = ks.in_flight.state_window(t.window);
      if (!found) {
        prune(t.key, ks);
        return; // a timer of a window that no longer exists
      }
      state_window = *found;
    }
    auto* entry = ks.contents.find(state_window);
    if (entry != nullptr) {
      entry->event_timer.reset(); // this timer, or one the trigger deletes, may be its memo
    }
    tctx_.bind(t.key, t.window);
    const trigger_result result = event_timer ? trigger_->on_event_time(time, t.window, tctx_)
                                              : trigger_->on_processing_time(time, t.window, tctx_);
    fire_and_purge(ks, entry, t.window, result);
    if (event_timer == event_time_ && time == cleanup_time(t.window)) {
      clear_all_state(ks, t.window, state_window);
    }
    prune(t.key, ks);
  }

  /// Acts on `result` for `window`, whose contents `found` points at (null: none).
  void fire_and_purge(key_state& ks, typename contents_table::entry* found, const W& window,
                      trigger_result result) {
    if (found == nullptr) {
      return;
    }
    if (is_fire(result)) {
      const slot_override timestamp(this->ctx_.element_time, window.max_timestamp());
      contents_.emit(function_context(window), found->contents, *this->out_);
    }
    if (is_purge(result) || Contents::empty(found->contents)) {
      ks.contents.erase(found);
    }
  }

  void clear_all_state(key_state& ks, const W& window, const W& state_window) {
    ks.contents.erase(state_window);
    trigger_->clear(window, tctx_);
    contents_.clear(function_context(window));
    if constexpr (Assigner::is_merging()) {
      ks.in_flight.retire_window(window);
    }
  }

  window_context<K, W> function_context(const W& window) const {
    return window_context<K, W>(tctx_.key(), window, tctx_.watermark, tctx_.clock);
  }

  /// Flink's cleanupTime: the end of allowed lateness in event time, the window end otherwise.
  std::int64_t cleanup_time(const W& w) const {
    return event_time_ ? windows_detail::saturating_add(w.max_timestamp(), allowed_lateness_)
                       : w.max_timestamp();
  }
  bool is_window_late(const W& w) const {
    return event_time_ && cleanup_time(w) <= tctx_.watermark;
  }
  bool is_element_late(std::int64_t ts) const {
    return event_time_ && windows_detail::saturating_add(ts, allowed_lateness_) <= tctx_.watermark;
  }
  void register_cleanup_timer(const W& w) {
    const std::int64_t time = cleanup_time(w);
    if (time == std::numeric_limits<std::int64_t>::max()) {
      return;
    }
    event_time_ ? tctx_.register_event_time_timer(time)
                : tctx_.register_processing_time_timer(time);
  }
  void delete_cleanup_timer(const W& w) {
    const std::int64_t time = cleanup_time(w);
    event_time_ ? tctx_.delete_event_time_timer(time) : tctx_.delete_processing_time_timer(time);
  }

  /// Drops the state of `key`, `ks`, once it holds nothing.
  void prune(const K& key, const key_state& ks) {
    if (ks.contents.empty() && ks.in_flight.mapping().empty()) {
      keys_.erase(key);
    }
  }
  KeySelector key_;
  Assigner assigner_;
  Contents contents_;
  std::shared_ptr<const trigger<W>> trigger_;
  std::int64_t allowed_lateness_;
  std::string late_tag_;
  bool event_time_;
  std::int64_t late_dropped_ = 0;
  std::unordered_map<K, key_state> keys_;
  windows_detail::window_trigger_context<K, W> tctx_;
};

} // namespace sluice
