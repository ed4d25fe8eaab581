#pragma once
// Timer queues of a keyed operator as part of its keyed state: a snapshot participant that
// writes each timer into the section of its key's key group and adds it back on restore, so
// timers are checkpointed and rescaled with the state they belong to, on either backend. On the
// heap it flags the key group of every timer its queues add, remove or fire, so an incremental
// snapshot writes the sections of the key groups changed since the previous one only.

#include "sluice/operators/time/timer_queue.hpp"
#include "sluice/state/keyed_state_backend.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace sluice {

/// Snapshots the timer queues `queues` (timer keys TimerKey); KeyOf maps a timer key to the
/// state key whose key group holds it. A section holds (queue index, timer key, time) triples.
template <class TimerKey, class KeyOf>
class timer_queue_snapshot final : public keyed_snapshot_participant {
public:
  timer_queue_snapshot(std::vector<timer_queue<TimerKey>*> queues, KeyOf key_of)
      : queues_(std::move(queues)), key_of_(std::move(key_of)) {}

  /// Joins `backend`'s snapshots under `name`. The key groups of the timers the queues add,
  /// remove or fire are flagged changed, so an incremental heap snapshot writes those only;
  /// an operator whose snapshots write the timers as other state derives them
  /// (write_queue_from) passes instead the flags that state keeps, `derived`, which every
  /// change to the timers it derives sets.
  void register_with(keyed_state_backend& backend, const std::string& name,
                     key_group_changes* derived = nullptr) {
    max_parallelism_ = backend.max_parallelism();
    changes_ = derived != nullptr ? derived : &own_changes_;
    if (derived == nullptr) {
      for (auto* queue : queues_)
        queue->on_change(
            [this](const TimerKey& key) { own_changes_.mark_hash(key_hash(key_of_(key))); });
    }
    backend.register_participant(name, *this);
  }

  /// Calls f(timer key, time) for each timer a queue holds, in firing order.
  using timer_source =
      std::function<void(const std::function<void(const TimerKey&, std::int64_t)>&)>;
  /// Snapshots write queue `q`'s timers as `source` gives them instead of the queue's own (the
  /// session windows' fast path queues a timer ahead of the times it stands for).
  void write_queue_from(std::size_t q, timer_source source) {
    sources_.resize(queues_.size());
    sources_.at(q) = std::move(source);
  }

  void write_snapshot(key_group_sink& out) override {
    for (std::size_t q = 0; q < queues_.size(); ++q) {
      const auto write = [&](const TimerKey& key, std::int64_t time) {
        byte_writer& w =
            out.key_group(key_group_for_hash(key_hash(key_of_(key)), max_parallelism_));
        serialize(w, static_cast<std::uint8_t>(q));
        serialize(w, key);
        serialize(w, time);
      };
      if (q < sources_.size() && sources_[q])
        sources_[q](write);
      else
        queues_[q]->for_each(write);
    }
  }

  key_group_changes* changes() override { return changes_; }

  void read_key_group(int, byte_reader& in) override {
    while (!in.at_end()) {
      const auto q = deserialize<std::uint8_t>(in);
      auto key = deserialize<TimerKey>(in);
      const auto time = deserialize<std::int64_t>(in);
      if (q >= queues_.size())
        throw serialization_error("timer snapshot names timer queue " + std::to_string(q) + " of " +
                                  std::to_string(queues_.size()));
      queues_[q]->add(key, time);
    }
  }

private:
  std::vector<timer_queue<TimerKey>*> queues_;
  std::vector<timer_source> sources_;
  KeyOf key_of_;
  int max_parallelism_ = 0;
  key_group_changes own_changes_;
  key_group_changes* changes_ = &own_changes_;
};

} // namespace sluice
