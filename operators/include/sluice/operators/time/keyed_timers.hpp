#pragma once
// What the keyed process and keyed co-process operators share: the per-key context the
// function sees (key, timestamp, watermark, processing time, timers, side outputs), the
// event-time and processing-time timer queues, and firing them (Flink's
// InternalTimerService as the keyed process operators use it). Before the function runs for an
// element or a timer, the key becomes the current key of the operator's keyed state backend.
// The timers are keyed state too: they join the backend's snapshots per key group (as a
// keyed_snapshot_participant), so they are checkpointed and rescaled with their keys; the key
// groups whose timers changed are flagged, so incremental heap snapshots write only those.

#include "sluice/operators/core/stream_operator.hpp"
#include "sluice/operators/time/timer_queue.hpp"
#include "sluice/operators/time/watermark.hpp"
#include "sluice/state/key_group.hpp"
#include "sluice/state/key_hash.hpp"
#include "sluice/state/keyed_state_backend.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

namespace sluice {

/// P is a keyed function type with key_type, on_timer_context and
/// on_timer(time, on_timer_context&, collector<Out>&).
template <class P>
class keyed_timers final : public keyed_snapshot_participant {
  using K = typename P::key_type;

public:
  keyed_timers(stream_operator& op, P& fn) : op_(op), fn_(fn), ctx_(*this) {}
  keyed_timers(const keyed_timers&) = delete;
  keyed_timers& operator=(const keyed_timers&) = delete;

  /// Joins the snapshots of the operator's keyed state backend (after the operator's open set
  /// its context). An operator driven without a backend keeps its timers unsnapshotted.
  void open() {
    if (auto* backend = op_.context().keyed_state) {
      backend->set_key_type<K>();
      backend->register_participant("_timers", *this);
    }
  }

  /// Makes `key` and the element's timestamp current; the function's context.
  typename P::on_timer_context& enter(const K& key) {
    set_current_key(key);
    ctx_.key_ = &key;
    ctx_.timestamp_ = op_.context().current_timestamp();
    return ctx_;
  }

  /// Fires the event-time timers the watermark passes (the caller forwards it after).
  template <class Out>
  void advance_watermark(std::int64_t wm, collector<Out>& out) {
    watermark_ = wm;
    event_timers_.fire_until(wm, [&](const K& key, std::int64_t time) {
      fire(key, time, time_domain::event_time, out);
    });
  }

  /// Fires the due processing-time timers and asks to be woken for the next one.
  template <class Out>
  void advance_processing_time(std::int64_t now, collector<Out>& out) {
    wake_ups_.erase(wake_ups_.begin(), wake_ups_.upper_bound(now));
    firing_processing_timers_ = true;
    processing_timers_.fire_until(now, [&](const K& key, std::int64_t time) {
      fire(key, time, time_domain::processing_time, out);
    });
    firing_processing_timers_ = false;
    if (auto next = processing_timers_.earliest())
      request_wake_up(*next);
  }

  /// Writes each timer (domain, time, key) into its key's key group section.
  void write_snapshot(key_group_sink& out) override {
    const int max_parallelism = op_.context().keyed_state->max_parallelism();
    auto write = [&](time_domain domain) {
      return [&, domain](const K& key, std::int64_t time) {
        auto& w = out.key_group(key_group_for_hash(key_hash(key), max_parallelism));
        serialize(w, static_cast<std::uint8_t>(domain));
        serialize(w, time);
        serialize(w, key);
      };
    };
    event_timers_.for_each(write(time_domain::event_time));
    processing_timers_.for_each(write(time_domain::processing_time));
  }

  key_group_changes* changes() override { return &changes_; }

  /// Adds the timers of a restored key group section; asks for a wake-up for the earliest
  /// processing-time one.
  void read_key_group(int, byte_reader& in) override {
    while (!in.at_end()) {
      const auto domain = static_cast<time_domain>(deserialize<std::uint8_t>(in));
      const auto time = deserialize<std::int64_t>(in);
      auto key = deserialize<K>(in);
      (domain == time_domain::event_time ? event_timers_ : processing_timers_).add(key, time);
    }
    if (auto next = processing_timers_.earliest())
      request_wake_up(*next);
  }

private:
  /// The context and timer service the function sees, for the key being processed.
  class context_impl final : public P::on_timer_context, public sluice::timer_service {
  public:
    explicit context_impl(keyed_timers& timers) : timers_(timers) {}

    const K& current_key() const override { return *key_; }
    std::optional<std::int64_t> timestamp() const override {
      return timestamp_ == no_timestamp ? std::nullopt : std::optional<std::int64_t>(timestamp_);
    }
    std::int64_t current_watermark() const override { return timers_.watermark_; }
    std::int64_t current_processing_time() const override {
      if (auto* service = timers_.op_.context().processing_time)
        return service->now_ms();
      auto since = std::chrono::system_clock::now().time_since_epoch();
      return std::chrono::duration_cast<std::chrono::milliseconds>(since).count();
    }
    sluice::timer_service& timer_service() override { return *this; }
    sluice::time_domain time_domain() const override { return domain_; }

    void register_event_time_timer(std::int64_t time) override {
      timers_.event_timers_.add(*key_, time);
      timers_.mark_changed();
    }
    void register_processing_time_timer(std::int64_t time) override {
      if (timers_.processing_timers_.add(*key_, time) && !timers_.firing_processing_timers_)
        timers_.request_wake_up(time);
      timers_.mark_changed();
    }
    void delete_event_time_timer(std::int64_t time) override {
      timers_.event_timers_.remove(*key_, time);
      timers_.mark_changed();
    }
    void delete_processing_time_timer(std::int64_t time) override {
      timers_.processing_timers_.remove(*key_, time);
      timers_.mark_changed();
    }

    const K* key_ = nullptr;
    std::int64_t timestamp_ = no_timestamp;
    sluice::time_domain domain_ = sluice::time_domain::event_time;

  private:
    output_base* side_output(const std::string& tag_id) override {
      return timers_.op_.side_output(tag_id);
    }
    const runtime_context& operator_context() const override { return timers_.op_.context(); }

    keyed_timers& timers_;
  };

  /// Calls on_timer for `key`; the records it emits carry the timer's time in event time and
  /// no timestamp in processing time (as Flink).
  template <class Out>
  void fire(const K& key, std::int64_t time, time_domain domain, collector<Out>& out) {
    set_current_key(key);
    mark_changed();
    if (auto* slot = op_.context().element_time)
      slot->value = domain == time_domain::event_time ? time : no_timestamp;
    ctx_.key_ = &key;
    ctx_.timestamp_ = time;
    ctx_.domain_ = domain;
    fn_.on_timer(time, ctx_, out);
  }

  void set_current_key(const K& key) {
    if (auto* backend = op_.context().keyed_state)
      backend->set_current_key(key);
  }

  /// Flags the current key's key group: its timers changed.
  void mark_changed() {
    if (auto* backend = op_.context().keyed_state)
      changes_.mark(backend->current_key_group());
  }

  /// Asks the runtime for a wake-up at `time` unless one at or before it is pending.
  void request_wake_up(std::int64_t time) {
    auto* service = op_.context().processing_time;
    if (!service || (!wake_ups_.empty() && *wake_ups_.begin() <= time))
      return;
    wake_ups_.insert(time);
    service->wake_at(time);
  }

  stream_operator& op_;
  P& fn_;
  timer_queue<K> event_timers_;
  timer_queue<K> processing_timers_;
  std::int64_t watermark_ = min_watermark;
  /// The wake-ups requested from the runtime and not yet reached.
  std::set<std::int64_t> wake_ups_;
  /// In advance_processing_time: new timers fire in the same pass or get the wake-up after it.
  bool firing_processing_timers_ = false;
  context_impl ctx_;
  key_group_changes changes_;
};

} // namespace sluice
