#pragma once
// Operators on keyed streams: the rolling reduce (and sum/min/max built on it) and the keyed
// process operator running a keyed_process_function with its timers. State is per key, held
// in the subtask that owns the key's key group.

#include "sluice/operators/api/keyed_process_function.hpp"
#include "sluice/operators/core/basic_operators.hpp"
#include "sluice/operators/time/keyed_timers.hpp"
#include "sluice/operators/time/timer_queue.hpp"
#include "sluice/operators/time/watermark.hpp"
#include "sluice/state/flat_hash_map.hpp"
#include "sluice/state/value_state_sections.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace sluice {

/// Flink's rolling reduce: emits the running reduction of each key after every element. The
/// running values are keyed state in either backend's way: on RocksDB a value state per key
/// (so they may outgrow memory); on the heap the operator's own open-addressing table,
/// prefetched batch-at-a-time (the fast path: one cache miss per record, overlapped), which
/// joins snapshots as a participant written per key group, so it is snapshot and rescaled
/// like any keyed state.
template <class K, class T, class KeySelector, class F>
class reduce_operator final : public one_input_operator<T, T>, keyed_snapshot_participant {
public:
  reduce_operator(KeySelector key, F fn) : key_(std::move(key)), fn_(std::move(fn)) {}

  bool is_keyed() const override { return true; }
  void open(const runtime_context& ctx) override {
    stream_operator::open(ctx);
    ctx.keyed_state->set_key_type<K>();
    if (ctx.keyed_state->kind() == state_backend_kind::heap)
      ctx.keyed_state->register_participant("_reduce", *this, sections::signature());
    else
      running_ = &ctx.get_state(value_state_descriptor<T>("_reduce"));
  }
  void collect(T&& value) override {
    this->count_taken();
    this->guard([&] { reduce(value); });
  }
  /// Batch-at-a-time: on the heap, the table slot of the record `prefetch_distance` ahead is
  /// loaded into the cache while this one is reduced, so state misses overlap.
  void collect_all(T* first, T* last) override {
    this->count_taken(static_cast<std::uint64_t>(last - first));
    this->guard([&] {
      constexpr std::ptrdiff_t prefetch_distance = 8;
      for (auto* p = first; p != last; ++p) {
        if (!running_ && last - p > prefetch_distance)
          table_.prefetch(key_(static_cast<const T&>(p[prefetch_distance])));
        reduce(*p);
      }
    });
  }
  using one_input_operator<T, T>::collect;

  /// Snapshot (synchronous part) of the heap table: each key's value in its key group, in the
  /// form of the value state "_reduce" RocksDB keeps, so either backend restores the other's.
  void write_snapshot(key_group_sink& out) override {
    sections::write(out, this->ctx_.max_parallelism,
                    [&](auto&& f) { table_.for_each([&](const K& k, const T& v) { f(k, v); }); });
  }
  void read_key_group(int, byte_reader& in) override {
    sections::read(in, [&](K&& key, T&& value) { table_.try_emplace(key, std::move(value)); });
  }

private:
  using sections = value_state_sections<K, T>;

  void reduce(const T& value) {
    if (running_) {
      this->ctx_.keyed_state->set_current_key(key_(value));
      std::optional<T> acc = running_->value();
      T next = acc ? fn_(std::move(*acc), value) : value;
      running_->update(next);
      this->out_->collect(std::move(next));
      return;
    }
    auto [acc, inserted] = table_.try_emplace(key_(value), value);
    if (!inserted)
      *acc = fn_(std::move(*acc), value);
    this->out_->collect(static_cast<const T&>(*acc));
  }

  KeySelector key_;
  F fn_;
  /// The running values on RocksDB; null on the heap, where table_ holds them.
  value_state<T>* running_ = nullptr;
  flat_hash_map<K, T> table_;
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
      : fn_(std::move(fn)), key_(std::move(key)), timers_(*this, fn_) {}
  keyed_process_operator(const keyed_process_operator&) = delete;
  keyed_process_operator& operator=(const keyed_process_operator&) = delete;

  void open(const runtime_context& ctx) override {
    stream_operator::open(ctx);
    timers_.open();
    fn_.open(ctx);
  }
  bool is_keyed() const override { return true; }
  void collect(In&& value) override {
    this->count_taken();
    this->guard([&] {
      const K key = key_(static_cast<const In&>(value));
      fn_.process_element(std::move(value), timers_.enter(key), *this->out_);
    });
  }
  /// Fires the event-time timers the watermark passes, then forwards it.
  void process_watermark(std::int64_t wm) override {
    this->guard([&] { timers_.advance_watermark(wm, *this->out_); });
    this->out_->emit_watermark(wm);
  }
  void on_processing_time(std::int64_t now) override {
    this->guard([&] { timers_.advance_processing_time(now, *this->out_); });
  }
  void end_input() override {
    this->guard([&] { fn_.on_end_of_input(*this->out_); });
  }
  void close() override { fn_.close(); }
  using base::collect;

private:
  P fn_;
  KeySelector key_;
  keyed_timers<P> timers_;
};

} // namespace sluice
