#pragma once
// Timers of a keyed operator: event-time timers fire when the watermark passes them,
// processing-time timers when the subtask's clock does; at most one timer per key and time,
// fired in time order. The owner registers processing-time wake-ups with the runtime.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

namespace sluice {

template <class K>
class timer_queue {
public:
  /// Adds a timer; returns false if (key, time) was already registered.
  bool add(const K& key, std::int64_t time) {
    auto& keys = by_time_[time];
    for (const auto& k : keys)
      if (k == key)
        return false;
    keys.push_back(key);
    return true;
  }

  /// Removes a timer; returns whether it existed.
  bool remove(const K& key, std::int64_t time) {
    auto it = by_time_.find(time);
    if (it == by_time_.end())
      return false;
    auto& keys = it->second;
    for (auto k = keys.begin(); k != keys.end(); ++k) {
      if (*k == key) {
        keys.erase(k);
        if (keys.empty())
          by_time_.erase(it);
        return true;
      }
    }
    return false;
  }

  /// Fires, in time order (ties in registration order), every timer with time <= up_to;
  /// fire(key, time) may register new timers, which fire too if due.
  template <class F>
  void fire_until(std::int64_t up_to, F&& fire) {
    while (!by_time_.empty() && by_time_.begin()->first <= up_to) {
      auto it = by_time_.begin();
      auto time = it->first;
      auto key = it->second.front();
      it->second.erase(it->second.begin());
      if (it->second.empty())
        by_time_.erase(it);
      fire(key, time);
    }
  }

  std::optional<std::int64_t> earliest() const {
    if (by_time_.empty())
      return std::nullopt;
    return by_time_.begin()->first;
  }
  bool empty() const { return by_time_.empty(); }

private:
  std::map<std::int64_t, std::vector<K>> by_time_;
};

} // namespace sluice
