#pragma once
// The keyed window operator (Flink's WindowOperator): assigns each element to windows, keeps
// per (key, window) contents through a contents policy (window_contents.hpp, evictors.hpp),
// asks the trigger when to fire, merges session windows, handles allowed lateness and routes
// late records to a side output. Everything it keeps per key is keyed state: window contents
// and trigger state in the namespace of their window, the merging window set of session
// windows outside any window, and the timers as a snapshot participant.
//
// Event-time windows with the default trigger and a reduce or aggregate function take a fast
// path with the same results, on either backend (the typed tables of state/ decide where their
// values live; the operator never asks which backend runs): tumbling and sliding windows keep
// their accumulators in one (window_accumulators.hpp), with timers registered once per (key,
// window) instead of per element; session windows keep each key's sessions in one
// (session_accumulators.hpp), with a timer queued ahead of the session's time and moved on when
// it fires early, instead of moving timers with every merge.

#include "sluice/operators/core/stream_operator.hpp"
#include "sluice/operators/time/timer_queue_snapshot.hpp"
#include "sluice/operators/windows/merge_windows.hpp"
#include "sluice/operators/windows/session_accumulators.hpp"
#include "sluice/operators/windows/window_accumulators.hpp"
#include "sluice/operators/windows/window_assignment.hpp"
#include "sluice/operators/windows/window_contents.hpp"
#include "sluice/operators/windows/window_functions.hpp"
#include "sluice/operators/windows/window_settings.hpp"
#include "sluice/operators/windows/window_trigger_context.hpp"
#include "sluice/state/prefetch.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice {

template <class K, class T, class KeySelector, class Assigner, class Contents>
class window_operator final : public one_input_operator<T, typename Contents::output_type> {
  using Out = typename Contents::output_type;
  using W = window_type_t<Assigner, T>;
  using base = one_input_operator<T, Out>;
  static constexpr bool merging = Assigner::is_merging();
  /// Whether the fast path may run (window_accumulators.hpp, session_accumulators.hpp); open()
  /// decides whether it does.
  static constexpr bool accumulator_capable =
      (std::is_same_v<Assigner, tumbling_windows> || std::is_same_v<Assigner, sliding_windows> ||
       merging) &&
      windows_detail::accumulates<Contents>::value;

public:
  using output_type = Out;

  window_operator(KeySelector key, Assigner assigner, Contents contents,
                  window_settings<W> settings)
      : key_(std::move(key)), assigner_(std::move(assigner)), contents_(std::move(contents)),
        default_trigger_(!settings.window_trigger),
        trigger_(settings.window_trigger ? std::move(settings.window_trigger)
                                         : windows_detail::default_trigger<W>(assigner_)),
        allowed_lateness_(settings.allowed_lateness), late_tag_(std::move(settings.late_data_tag)),
        event_time_(windows_detail::is_event_time(assigner_)) {
    if (allowed_lateness_ < 0) {
      throw std::invalid_argument("window_operator: allowed lateness must be >= 0");
    }
    if (merging && !trigger_->can_merge()) {
      throw std::invalid_argument("window_operator: the trigger cannot merge session windows");
    }
  }

  bool is_keyed() const override { return true; }

  void open(const runtime_context& ctx) override {
    stream_operator::open(ctx);
    if (ctx.keyed_state == nullptr) {
      throw std::logic_error("window_operator '" + ctx.task_name() +
                             "': no keyed state backend (window operators are keyed)");
    }
    keyed_state_backend& backend = *ctx.keyed_state;
    backend.set_key_type<K>();
    tctx_.clock = ctx.processing_time;
    tctx_.open(backend);
    late_dropped_ = &ctx.metric_group().late_records_dropped();
    if constexpr (accumulator_capable) {
      accumulating_ = default_trigger_ && event_time_;
      if (accumulating_) {
        if constexpr (merging) {
          accumulators_.open(backend);
        } else {
          accumulators_.open(backend, windows_detail::contents_state_name,
                             windows_detail::window_end_packing{assigner_.size()});
        }
      }
    }
    if (!accumulating_) {
      contents_.open(backend);
      if constexpr (merging) {
        merging_sets_ = &backend.get_state(merging_sets_descriptor("window-merging-sets"));
      }
    }
    // The session fast path's snapshots write the timers its sessions stand for, not the
    // queue's: they change in the key groups where the sessions do.
    key_group_changes* derived = nullptr;
    if constexpr (merging && accumulator_capable) {
      if (accumulating_) {
        derived = &accumulators_.changes();
      }
    }
    timers_snapshot_.register_with(backend, "window-timers", derived);
    if constexpr (merging && accumulator_capable) {
      if (accumulating_) {
        resume_sessions();
      }
    }
    // Processing-time timers restored with the backend need a wake-up of their own.
    if (const auto next = tctx_.processing_timers.earliest()) {
      tctx_.request_wake(*next);
    }
  }

  void collect(T&& value) override {
    this->count_taken();
    this->guard([&] { process_element(std::move(value)); });
  }
  /// Event-time windows of the fast path, and tumbling ones of the generic path: the state of
  /// the windows of the record prefetch_distance ahead starts loading meanwhile, so state
  /// misses overlap.
  void collect_all_stamped(T* first, T* last, const std::int64_t* stamps,
                           timestamp_slot& slot) override {
    constexpr std::ptrdiff_t prefetch_distance = 16;
    for_each_prefetched(
        first, last, prefetch_distance,
        [&](const T* ahead) {
          if (event_time_)
            prefetch_ahead(*ahead, stamps[ahead - first]);
        },
        [&](T* p) {
          slot.value = stamps[p - first];
          collect(std::move(*p));
        });
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
  std::int64_t num_late_records_dropped() const { return late_dropped_->count(); }
  /// Whether the fast path runs (decided in open(); for tests and diagnostics).
  bool accumulates() const { return accumulating_; }

private:
  using trigger_context_type = windows_detail::window_trigger_context<K, W>;
  using timer_key = typename trigger_context_type::timer_key;
  /// In-flight window -> state window, per key (merging assigners only).
  using merging_sets_descriptor = value_state_descriptor<std::map<time_window, time_window>>;
  /// Timers belong to the key group of their key.
  struct key_of_timer {
    const K& operator()(const timer_key& t) const { return t.key; }
  };

  void prefetch_ahead(const T& value, std::int64_t ts) {
    if constexpr (accumulator_capable) {
      if (accumulating_) {
        const K key = key_(value);
        if constexpr (merging) {
          accumulators_.prefetch(key);
        } else {
          for_each_accumulator_window(
              ts, [&](const time_window& w) { accumulators_.prefetch(key, w); });
        }
        return;
      }
    }
    if constexpr (std::is_same_v<Assigner, tumbling_windows>) {
      prefetch_window(value, ts);
    }
  }

  /// Starts loading the contents and the cleanup timer of `value`'s window at `ts` (one
  /// window: tumbling assigners).
  void prefetch_window(const T& value, std::int64_t ts) {
    const auto windows = windows_detail::assign_windows(assigner_, value, ts);
    const K key = key_(value);
    tctx_.event_timers.prefetch({key, windows[0]}, cleanup_time(windows[0]));
    {
      byte_writer w(prefetch_namespace_, 0);
      serialize(w, windows[0]);
    }
    this->ctx_.keyed_state->prefetch_key(
        key, std::string_view(prefetch_namespace_.data(), prefetch_namespace_.size()));
  }

  void process_element(T&& value) {
    const std::int64_t ts = this->ctx_.current_timestamp();
    if (event_time_ && ts == no_timestamp) {
      throw std::runtime_error("window_operator: record has no timestamp; event-time windows "
                               "need timestamps (assign a watermark strategy)");
    }
    if constexpr (accumulator_capable) {
      if (accumulating_) {
        if constexpr (merging) {
          accumulate_session(std::move(value), ts);
        } else {
          accumulate(std::move(value), ts);
        }
        return;
      }
    }
    const std::int64_t assign_time = event_time_ ? ts : tctx_.service().now_ms();
    const auto windows = windows_detail::assign_windows(assigner_, value, assign_time);
    const K key = key_(static_cast<const T&>(value));
    tctx_.set_key(key);
    merging_window_set in_flight;
    bool in_flight_changed = false;
    if constexpr (merging) {
      in_flight = load_merging_set();
    }
    bool skipped = true;
    for (std::size_t i = 0; i < windows.size(); ++i) {
      W window = windows[i];
      W state_window = window;
      if constexpr (merging) {
        const std::size_t windows_before = in_flight.mapping().size();
        const add_window_result added = in_flight.add_window(window);
        in_flight_changed |= !added.merges.empty() || in_flight.mapping().size() != windows_before;
        for (const window_merge& m : added.merges) {
          apply_merge(m);
        }
        window = added.window;
        if (is_window_late(window)) {
          in_flight.retire_window(window);
          continue;
        }
        state_window = *in_flight.state_window(window);
      } else if (is_window_late(window)) {
        continue;
      }
      skipped = false;
      T element = i + 1 == windows.size() ? T(std::move(value)) : T(value);
      tctx_.set_window(window);
      if constexpr (merging) {
        tctx_.use_namespace(state_window);
        contents_.add(std::move(element), ts);
        tctx_.use_namespace(window);
      } else {
        contents_.add(std::move(element), ts);
      }
      const trigger_result result = trigger_->on_element(ts, window, tctx_);
      fire_and_purge(window, state_window, result);
      register_cleanup_timer(window);
    }
    if constexpr (merging) {
      if (in_flight_changed) {
        store_merging_set(in_flight);
      }
    }
    if (skipped && is_element_late(ts)) {
      drop_late(std::move(value));
    }
  }

  /// The fast path's process_element, with the generic path's results: the default event-time
  /// trigger fires a window when the watermark passes its end (at once for an element of a
  /// window already past it, within allowed lateness), and its timers are registered with
  /// the window's first element, which the generic path's later registrations only repeat.
  void accumulate(T&& value, std::int64_t ts) {
    const K key = key_(static_cast<const T&>(value));
    bool skipped = true;
    for_each_accumulator_window(ts, [&](const time_window& window) {
      if (is_window_late(window)) {
        return;
      }
      skipped = false;
      bool first = false;
      const auto& acc = accumulators_.upsert(
          key, window,
          [&] {
            first = true;
            return contents_.first(value);
          },
          [&](auto& held) { contents_.accumulate(held, value); });
      if (window.max_timestamp() <= tctx_.watermark) {
        emit_accumulator(key, window, acc);
      } else if (first) {
        tctx_.event_timers.add({key, window}, window.max_timestamp());
      }
      if (first && cleanup_time(window) != std::numeric_limits<std::int64_t>::max()) {
        tctx_.event_timers.add({key, window}, cleanup_time(window));
      }
    });
    if (skipped && is_element_late(ts)) {
      drop_late(std::move(value));
    }
  }

  /// The fast path's window assignment: the start of the period of `ts` (a division) is
  /// computed only when ts leaves the period of the element before, as few elements do.
  template <class F> void for_each_accumulator_window(std::int64_t ts, F&& f) {
    if (!period_known_ || ts < period_start_ ||
        static_cast<std::uint64_t>(ts) - static_cast<std::uint64_t>(period_start_) >=
            static_cast<std::uint64_t>(assigner_.period())) {
      period_start_ = window_start_with_offset(ts, assigner_.offset(), assigner_.period());
      period_known_ = true;
    }
    assigner_.for_each_window_from(period_start_, ts, f);
  }

  /// The fast path's on_timer: the timer at the window's end fires it, the cleanup timer
  /// removes it (both at once without allowed lateness).
  void accumulator_timer(const timer_key& t, std::int64_t time) {
    if (time == t.window.max_timestamp()) {
      if (const auto* acc = accumulators_.find(t.key, t.window)) {
        emit_accumulator(t.key, t.window, *acc);
      }
    }
    if (time == cleanup_time(t.window)) {
      accumulators_.erase(t.key, t.window);
      contents_.clear(window_context<K, W>(t.key, t.window, tctx_.watermark, tctx_.clock));
    }
  }

  /// The session fast path's process_element, with the generic path's results: the element's
  /// window merges with the key's sessions it meets (their accumulators folded in the order
  /// the generic path absorbs their contents) or starts a session unless late.
  void accumulate_session(T&& value, std::int64_t ts) {
    const time_window window = windows_detail::assign_windows(assigner_, value, ts)[0];
    const K key = key_(static_cast<const T&>(value));
    auto* s = accumulators_.merge(key, window, [&](auto& into, auto&& from) {
      contents_.absorb_accumulator(into, std::move(from));
    });
    if (s != nullptr) {
      contents_.accumulate(s->acc, value);
    } else if (is_window_late(window)) {
      if (is_element_late(ts)) {
        drop_late(std::move(value));
      }
      return;
    } else {
      s = accumulators_.insert(key, window, contents_.first(value));
    }
    // The default trigger: fires at once a session the watermark has passed (within allowed
    // lateness), else holds a timer at its end.
    s->end_pending = s->window.max_timestamp() > tctx_.watermark;
    if (!s->end_pending) {
      emit_accumulator(key, s->window, s->acc);
    }
    queue_session_timer(key, *s);
    accumulators_.store(key, *s);
  }

  /// When the generic path's next timer of session `s` fires: its end, else its cleanup.
  template <class S> std::int64_t session_due(const S& s) const {
    return s.end_pending ? s.window.max_timestamp() : cleanup_time(s.window);
  }
  /// Queues a timer of `s` at its due time unless one is queued by then. A session's queued
  /// timers name the window it had then, which the session's window contains from then on.
  template <class S> void queue_session_timer(const K& key, S& s) {
    const std::int64_t due = session_due(s);
    if (due < s.queued && due != std::numeric_limits<std::int64_t>::max()) {
      tctx_.event_timers.add({key, s.window}, due);
      s.queued = due;
    }
  }

  /// The session fast path's on_timer: a timer before its session's due time queues one at
  /// that time; at it, the session fires (the timer at its end) or goes (the cleanup timer;
  /// both at once without allowed lateness).
  void session_timer(const timer_key& t, std::int64_t time) {
    auto* s = accumulators_.containing(t.key, t.window);
    if (s == nullptr) {
      return; // the session went at the time of a timer queued with it
    }
    s->queued = std::numeric_limits<std::int64_t>::max();
    if (time >= session_due(*s) && s->end_pending) {
      s->end_pending = false;
      emit_accumulator(t.key, s->window, s->acc);
    }
    if (time < cleanup_time(s->window)) {
      queue_session_timer(t.key, *s);
      accumulators_.store(t.key, *s);
      return;
    }
    const time_window window = s->window;
    accumulators_.retire(t.key, *s);
    contents_.clear(window_context<K, W>(t.key, window, tctx_.watermark, tctx_.clock));
  }

  /// After open(): notes which restored timers stand for a session's end, queues each
  /// session's timer, and has snapshots write the timers the generic path would hold.
  void resume_sessions() {
    tctx_.event_timers.for_each([&](const timer_key& t, std::int64_t time) {
      auto* s = accumulators_.containing(t.key, t.window);
      if (s != nullptr && s->window == t.window) {
        s->end_pending |= time == t.window.max_timestamp();
        s->queued = std::min(s->queued, time);
        accumulators_.store(t.key, *s);
      }
    });
    accumulators_.for_each([&](const K& key, auto& s) { queue_session_timer(key, s); });
    timers_snapshot_.write_queue_from(0, [this](const auto& write) {
      std::vector<std::pair<std::int64_t, timer_key>> timers;
      accumulators_.for_each([&](const K& key, const auto& s) {
        const std::int64_t cleanup = cleanup_time(s.window);
        if (s.end_pending) {
          timers.push_back({s.window.max_timestamp(), {key, s.window}});
        }
        if (cleanup != std::numeric_limits<std::int64_t>::max() &&
            !(s.end_pending && cleanup == s.window.max_timestamp())) {
          timers.push_back({cleanup, {key, s.window}});
        }
      });
      std::stable_sort(timers.begin(), timers.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      for (const auto& [time, t] : timers) {
        write(t, time);
      }
    });
  }

  template <class Acc> void emit_accumulator(const K& key, const W& window, const Acc& acc) {
    const slot_override timestamp(this->ctx_.element_time, window.max_timestamp());
    contents_.emit_accumulator(window_context<K, W>(key, window, tctx_.watermark, tctx_.clock), acc,
                               *this->out_);
  }

  /// A late element: to the late-data side output if one consumes it, else counted as dropped.
  void drop_late(T&& value) {
    if (output_base* late = late_tag_.empty() ? nullptr : this->side_output(late_tag_)) {
      static_cast<collector<T>*>(late)->collect(std::move(value));
    } else {
      late_dropped_->inc();
    }
  }

  /// Flink's MergeFunction: moves triggers and cleanup timers to the merge result, then
  /// merges the contents of the merged state windows into its state window.
  void apply_merge(const window_merge& m) {
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
    tctx_.set_window(result);
    tctx_.set_merged(&m.merged);
    trigger_->on_merge(result, tctx_);
    tctx_.set_merged(nullptr);
    for (const W& old : m.merged) {
      tctx_.set_window(old);
      trigger_->clear(old, tctx_);
      delete_cleanup_timer(old);
    }
    for (const W& from : m.merged_state_windows) {
      tctx_.use_namespace(from);
      if (auto taken = contents_.take()) {
        tctx_.use_namespace(m.state_window);
        contents_.absorb(std::move(*taken));
      }
    }
  }

  void on_timer(const timer_key& t, std::int64_t time, bool event_timer) {
    if constexpr (accumulator_capable) {
      if (accumulating_) {
        if constexpr (merging) {
          session_timer(t, time);
        } else {
          accumulator_timer(t, time);
        }
        return;
      }
    }
    tctx_.set_key(t.key);
    W state_window = t.window;
    merging_window_set in_flight;
    if constexpr (merging) {
      in_flight = load_merging_set();
      const auto found = in_flight.state_window(t.window);
      if (!found) {
        return; // a timer of a window that no longer exists
      }
      state_window = *found;
    }
    tctx_.set_window(t.window);
    const trigger_result result = event_timer ? trigger_->on_event_time(time, t.window, tctx_)
                                              : trigger_->on_processing_time(time, t.window, tctx_);
    fire_and_purge(t.window, state_window, result);
    if (event_timer == event_time_ && time == cleanup_time(t.window)) {
      clear_all_state(t.window, state_window);
      if constexpr (merging) {
        in_flight.retire_window(t.window);
        store_merging_set(in_flight);
      }
    }
  }

  /// Acts on the trigger's `result` for `window`, whose contents are in `state_window`.
  void fire_and_purge(const W& window, const W& state_window, trigger_result result) {
    if (!is_fire(result) && !is_purge(result)) {
      return;
    }
    tctx_.use_namespace(state_window);
    if (is_fire(result)) {
      const slot_override timestamp(this->ctx_.element_time, window.max_timestamp());
      contents_.emit(function_context(window), *this->out_);
    }
    if (is_purge(result)) {
      contents_.purge();
    }
  }

  void clear_all_state(const W& window, const W& state_window) {
    tctx_.use_namespace(state_window);
    contents_.purge();
    tctx_.use_namespace(window);
    trigger_->clear(window, tctx_);
    contents_.clear(function_context(window));
  }

  merging_window_set load_merging_set() {
    tctx_.use_key_namespace();
    auto mapping = merging_sets_->value();
    return mapping ? merging_window_set(std::move(*mapping)) : merging_window_set();
  }
  /// Keeps `in_flight` as the current key's merging window set (a key without one keeps none).
  void store_merging_set(const merging_window_set& in_flight) {
    tctx_.use_key_namespace();
    if (in_flight.mapping().empty()) {
      merging_sets_->clear();
    } else {
      merging_sets_->update(in_flight.mapping());
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
  /// Registered with every element, as Flink does: the timer queue drops the duplicates.
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

  KeySelector key_;
  Assigner assigner_;
  Contents contents_;
  bool default_trigger_;
  std::shared_ptr<const trigger<W>> trigger_;
  std::int64_t allowed_lateness_;
  std::string late_tag_;
  bool event_time_;
  metric_counter* late_dropped_ = nullptr; ///< numLateRecordsDropped, in the operator's group
  trigger_context_type tctx_;
  /// The fast path: whether it runs, and its table (an empty struct where it cannot run).
  bool accumulating_ = false;
  bool period_known_ = false;
  std::int64_t period_start_ = 0;
  struct no_accumulators {};
  template <class C, bool = accumulator_capable> struct accumulators_of {
    using type = no_accumulators;
  };
  template <class C> struct accumulators_of<C, true> {
    template <template <class...> class Table>
    using table = Table<K, typename C::accumulator_type, typename C::state_descriptor>;
    using type = std::conditional_t<merging, table<windows_detail::session_accumulators>,
                                    table<windows_detail::window_accumulators>>;
  };
  typename accumulators_of<Contents>::type accumulators_;
  std::vector<char> prefetch_namespace_;
  value_state<std::map<time_window, time_window>>* merging_sets_ = nullptr;
  timer_queue_snapshot<timer_key, key_of_timer> timers_snapshot_{
      {&tctx_.event_timers, &tctx_.processing_timers}, key_of_timer{}};
};

} // namespace sluice
