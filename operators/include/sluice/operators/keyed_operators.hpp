#pragma once
// Operators on keyed streams: the rolling reduce (and sum/min/max built on it) and the keyed
// process operator running a keyed_process_function with its timers. State is per key, held
// in the subtask that owns the key's key group.

#include "sluice/operators/basic_operators.hpp"
#include "sluice/operators/keyed_process_function.hpp"
#include "sluice/operators/time/timer_service.hpp"
#include "sluice/operators/time/watermark.hpp"
#include "sluice/state/flat_hash_map.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace sluice {

/// Flink's rolling reduce: emits the running reduction of each key after every element.
template <class K, class T, class KeySelector, class F>
class reduce_operator final : public one_input_operator<T, T> {
public:
  reduce_operator(KeySelector key, F fn) : key_(std::move(key)), fn_(std::move(fn)) {}

  void collect(T&& value) override {
    this->guard([&] { reduce(value); });
  }

  /// Batch-at-a-time: the state of the record `prefetch_distance` ahead is loaded into the
  /// cache while this one is reduced, so state misses overlap instead of queueing.
  void collect_all(T* first, T* last) override {
    this->guard([&] {
      constexpr std::ptrdiff_t prefetch_distance = 8;
      for (auto* p = first; p != last; ++p) {
        if (last - p > prefetch_distance)
          state_.prefetch(key_(static_cast<const T&>(p[prefetch_distance])));
        reduce(*p);
      }
    });
  }
  using one_input_operator<T, T>::collect;

private:
  void reduce(const T& value) {
    auto [acc, inserted] = state_.try_emplace(key_(value), value);
    if (!inserted)
      *acc = fn_(std::move(*acc), value);
    this->out_->collect(static_cast<const T&>(*acc));
  }

  KeySelector key_;
  F fn_;
  flat_hash_map<K, T> state_;
};

/// Runs a keyed_process_function: keys each element, keeps the per-key event-time and
/// processing-time timers, and fires them in time order as the watermark and the clock pass.
template <class P, class KeySelector>
class keyed_process_operator final
    : public one_input_operator<typename P::input_type, typename P::output_type> {
  using K = typename P::key_type;
  using In = typename P::input_type;
  using base = one_input_operator<In, typename P::output_type>;

public:
  keyed_process_operator(P fn, KeySelector key)
      : fn_(std::move(fn)), key_(std::move(key)), fn_ctx_(*this) {}
  keyed_process_operator(const keyed_process_operator&) = delete;
  keyed_process_operator& operator=(const keyed_process_operator&) = delete;

  void open(const runtime_context& ctx) override {
    stream_operator::open(ctx);
    fn_.open(ctx);
  }
  void collect(In&& value) override {
    this->guard([&] {
      const K key = key_(static_cast<const In&>(value));
      fn_ctx_.key_ = &key;
      fn_ctx_.timestamp_ = this->ctx_.current_timestamp();
      fn_.process_element(std::move(value), fn_ctx_, *this->out_);
    });
  }
  /// Fires the event-time timers the watermark passes, then forwards it.
  void process_watermark(std::int64_t wm) override {
    watermark_ = wm;
    this->guard([&] {
      event_timers_.fire_until(wm, [&](const K& key, std::int64_t time) {
        fire(key, time, time_domain::event_time);
      });
    });
    this->out_->emit_watermark(wm);
  }
  /// Fires the due processing-time timers and asks to be woken for the next one.
  void on_processing_time(std::int64_t now) override {
    wake_ups_.erase(wake_ups_.begin(), wake_ups_.upper_bound(now));
    firing_processing_timers_ = true;
    this->guard([&] {
      processing_timers_.fire_until(now, [&](const K& key, std::int64_t time) {
        fire(key, time, time_domain::processing_time);
      });
    });
    firing_processing_timers_ = false;
    if (auto next = processing_timers_.earliest())
      request_wake_up(*next);
  }
  void end_input() override {
    this->guard([&] { fn_.on_end_of_input(*this->out_); });
  }
  void close() override { fn_.close(); }
  using base::collect;

private:
  /// The context and timer service the function sees, for the key being processed.
  class context_impl final : public P::on_timer_context, public sluice::timer_service {
  public:
    explicit context_impl(keyed_process_operator& op) : op_(op) {}

    const K& current_key() const override { return *key_; }
    std::optional<std::int64_t> timestamp() const override {
      if (timestamp_ == no_timestamp)
        return std::nullopt;
      return timestamp_;
    }
    std::int64_t current_watermark() const override { return op_.watermark_; }
    std::int64_t current_processing_time() const override {
      if (auto* service = op_.ctx_.processing_time)
        return service->now_ms();
      auto since = std::chrono::system_clock::now().time_since_epoch();
      return std::chrono::duration_cast<std::chrono::milliseconds>(since).count();
    }
    sluice::timer_service& timer_service() override { return *this; }
    sluice::time_domain time_domain() const override { return domain_; }

    void register_event_time_timer(std::int64_t time) override {
      op_.event_timers_.add(*key_, time);
    }
    void register_processing_time_timer(std::int64_t time) override {
      if (op_.processing_timers_.add(*key_, time) && !op_.firing_processing_timers_)
        op_.request_wake_up(time);
    }
    void delete_event_time_timer(std::int64_t time) override {
      op_.event_timers_.remove(*key_, time);
    }
    void delete_processing_time_timer(std::int64_t time) override {
      op_.processing_timers_.remove(*key_, time);
    }

    const K* key_ = nullptr;
    std::int64_t timestamp_ = no_timestamp;
    sluice::time_domain domain_ = sluice::time_domain::event_time;

  private:
    output_base* side_output(const std::string& tag_id) override {
      return op_.side_output(tag_id);
    }

    keyed_process_operator& op_;
  };

  /// Calls on_timer for `key`; the records it emits carry the timer's time in event time and
  /// no timestamp in processing time (as Flink).
  void fire(const K& key, std::int64_t time, time_domain domain) {
    if (this->ctx_.element_time)
      this->ctx_.element_time->value = domain == time_domain::event_time ? time : no_timestamp;
    fn_ctx_.key_ = &key;
    fn_ctx_.timestamp_ = time;
    fn_ctx_.domain_ = domain;
    fn_.on_timer(time, fn_ctx_, *this->out_);
  }

  /// Asks the runtime for a wake-up at `time` unless one at or before it is pending.
  void request_wake_up(std::int64_t time) {
    auto* service = this->ctx_.processing_time;
    if (!service || (!wake_ups_.empty() && *wake_ups_.begin() <= time))
      return;
    wake_ups_.insert(time);
    service->wake_at(time);
  }

  P fn_;
  KeySelector key_;
  timer_queue<K> event_timers_;
  timer_queue<K> processing_timers_;
  std::int64_t watermark_ = min_watermark;
  /// The wake-ups requested from the runtime and not yet reached.
  std::set<std::int64_t> wake_ups_;
  /// In on_processing_time: new timers fire in the same pass or get the wake-up asked after it.
  bool firing_processing_timers_ = false;
  context_impl fn_ctx_;
};

} // namespace sluice
