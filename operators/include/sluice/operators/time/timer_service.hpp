#pragma once
// Timers of a keyed operator: event-time timers fire when the watermark passes them,
// processing-time timers when the subtask's clock does; at most one timer per key and time,
// fired in time order. The owner registers processing-time wake-ups with the runtime.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sluice {

namespace timers_detail {

template <class T, class = void> struct has_std_hash : std::false_type {};
template <class T>
struct has_std_hash<T, std::enable_if_t<std::is_default_constructible_v<std::hash<T>> &&
                                        std::is_invocable_r_v<std::size_t, std::hash<T>,
                                                              const T&>>> : std::true_type {};

template <class T, class = void> struct has_key_and_window : std::false_type {};
template <class T>
struct has_key_and_window<T, std::void_t<decltype(std::declval<const T&>().key),
                                         decltype(std::declval<const T&>().window)>>
    : std::true_type {};

/// The hash of `value` by std::hash, or 0 when it has none (equal values still hash equally).
template <class T> std::size_t hash_or_zero(const T& value) {
  if constexpr (has_std_hash<T>::value) {
    return std::hash<T>{}(value);
  } else {
    return 0;
  }
}

/// Hashes timer keys: by std::hash if there is one, by the members of {key, window} timer keys
/// (as the window operator's), else by nothing, so that lookups fall back to comparing keys.
struct timer_key_hash {
  template <class K> std::size_t operator()(const K& k) const {
    if constexpr (has_std_hash<K>::value) {
      return std::hash<K>{}(k);
    } else if constexpr (has_key_and_window<K>::value) {
      const std::size_t h = hash_or_zero(k.key);
      return h ^ (hash_or_zero(k.window) + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2));
    } else {
      return 0;
    }
  }
};

} // namespace timers_detail

/// Adding, removing and firing a timer take O(log t) for t distinct times, plus O(1) amortized
/// for the key among those of its time (when keys hash; see timers_detail::timer_key_hash).
template <class K>
class timer_queue {
public:
  /// Adds a timer; returns false if (key, time) was already registered.
  bool add(const K& key, std::int64_t time) {
    auto& slot = by_time_[time];
    if (!slot.live.try_emplace(key, slot.order.size()).second)
      return false;
    slot.order.push_back(key);
    return true;
  }

  /// Removes a timer; returns whether it existed.
  bool remove(const K& key, std::int64_t time) {
    auto it = by_time_.find(time);
    if (it == by_time_.end() || it->second.live.erase(key) == 0)
      return false;
    if (it->second.live.empty())
      by_time_.erase(it);
    else
      it->second.compact_if_sparse();
    return true;
  }

  /// Fires, in time order (ties in registration order), every timer with time <= up_to;
  /// fire(key, time) may register new timers, which fire too if due.
  template <class F>
  void fire_until(std::int64_t up_to, F&& fire) {
    while (!by_time_.empty() && by_time_.begin()->first <= up_to) {
      auto it = by_time_.begin();
      const std::int64_t time = it->first;
      auto& slot = it->second;
      const std::size_t index = slot.next++;
      const auto live = slot.live.find(slot.order[index]);
      if (live == slot.live.end() || live->second != index)
        continue; // removed, or removed and added again later
      K key = std::move(slot.order[index]);
      slot.live.erase(live);
      if (slot.live.empty())
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
  /// The timers of one time: keys in registration order from `next` on, including removed ones,
  /// and each live key with its index in `order`. Never empty of live keys.
  struct time_slot {
    std::vector<K> order;
    std::size_t next = 0;
    std::unordered_map<K, std::size_t, timers_detail::timer_key_hash> live;

    /// Drops removed and fired keys from `order` once they outnumber the live ones.
    void compact_if_sparse() {
      if (order.size() - next <= 2 * live.size())
        return;
      std::vector<K> kept;
      kept.reserve(live.size());
      for (std::size_t i = next; i < order.size(); ++i) {
        const auto found = live.find(order[i]);
        if (found != live.end() && found->second == i) {
          found->second = kept.size();
          kept.push_back(std::move(order[i]));
        }
      }
      order = std::move(kept);
      next = 0;
    }
  };

  std::map<std::int64_t, time_slot> by_time_;
};

} // namespace sluice
