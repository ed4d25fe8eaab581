#pragma once
// Timers of a keyed operator: event-time timers fire when the watermark passes them,
// processing-time timers when the subtask's clock does; at most one timer per key and time,
// fired in time order. The owner registers processing-time wake-ups with the runtime.

#include "sluice/state/prefetch.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <type_traits>
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

/// The live keys of one timer time, each with its index in registration order: an
/// open-addressing table (linear probing, load <= 1/2, backward-shift deletion), so a lookup
/// costs about one cache miss and adding a key allocates nothing but the occasional growth.
template <class K> class key_index_table {
public:
  /// The index of `key`, or nullptr.
  std::size_t* find(const K& key) {
    const std::size_t i = position_of(key);
    return i == npos ? nullptr : &cells_[i].index;
  }
  const std::size_t* find(const K& key) const {
    const std::size_t i = position_of(key);
    return i == npos ? nullptr : &cells_[i].index;
  }

  /// Starts loading the cell where a lookup of `key` begins.
  void prefetch(const K& key) const {
    if (!cells_.empty())
      prefetch_line(&cells_[home_of(timer_key_hash{}(key))]);
  }

  /// Adds `key` with `index`; returns false (changing nothing) if `key` is present.
  bool try_emplace(const K& key, std::size_t index) {
    if (2 * (size_ + 1) > cells_.size())
      grow();
    const std::size_t hash = timer_key_hash{}(key);
    for (std::size_t i = home_of(hash);; i = (i + 1) & mask_) {
      cell& c = cells_[i];
      if (!c.key) {
        c = cell{hash, index, key};
        ++size_;
        return true;
      }
      if (c.hash == hash && *c.key == key)
        return false;
    }
  }

  /// Removes `key`; returns whether it was present.
  bool erase(const K& key) {
    std::size_t hole = position_of(key);
    if (hole == npos)
      return false;
    for (std::size_t j = (hole + 1) & mask_; cells_[j].key; j = (j + 1) & mask_) {
      const std::size_t home = home_of(cells_[j].hash);
      // j may fill the hole unless its home lies cyclically in (hole, j].
      const bool stays = hole < j ? (home > hole && home <= j) : (home > hole || home <= j);
      if (!stays) {
        cells_[hole] = std::move(cells_[j]);
        hole = j;
      }
    }
    cells_[hole].key.reset();
    --size_;
    return true;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

private:
  struct cell {
    std::size_t hash = 0;
    std::size_t index = 0;
    std::optional<K> key; ///< empty: a free cell
  };

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  /// The cell holding `key`, or npos.
  std::size_t position_of(const K& key) const {
    if (size_ == 0)
      return npos;
    const std::size_t hash = timer_key_hash{}(key);
    for (std::size_t i = home_of(hash);; i = (i + 1) & mask_) {
      const cell& c = cells_[i];
      if (!c.key)
        return npos;
      if (c.hash == hash && *c.key == key)
        return i;
    }
  }

  std::size_t home_of(std::size_t hash) const {
    return static_cast<std::size_t>((hash * 0x9E3779B97F4A7C15ULL) >> shift_);
  }

  void grow() {
    std::vector<cell> old = std::move(cells_);
    const std::size_t capacity = old.empty() ? 8 : 2 * old.size();
    cells_ = std::vector<cell>(capacity);
    mask_ = capacity - 1;
    shift_ = 64;
    for (std::size_t c = capacity; c > 1; c >>= 1)
      --shift_;
    for (cell& c : old) {
      if (!c.key)
        continue;
      std::size_t i = home_of(c.hash);
      while (cells_[i].key)
        i = (i + 1) & mask_;
      cells_[i] = std::move(c);
    }
  }

  std::vector<cell> cells_;
  std::size_t size_ = 0;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
};

} // namespace timers_detail

/// Adding, removing and firing a timer take O(log t) for t distinct times (O(1) when the time is
/// that of the previous add or remove), plus O(1) amortized for the key among those of its time
/// (when keys hash; see timers_detail::timer_key_hash).
template <class K>
class timer_queue {
public:
  /// Adds a timer; returns false if (key, time) was already registered.
  bool add(const K& key, std::int64_t time) {
    if (last_.slot == nullptr || last_.time != time) {
      last_.slot = &by_time_[time];
      last_.time = time;
    } else if (last_.added && *last_.added == key) {
      return false; // the timer the last call added (window operators add each one twice)
    }
    time_slot& slot = *last_.slot;
    if (!slot.live.try_emplace(key, slot.order.size())) {
      last_.added = key;
      return false;
    }
    slot.order.push_back(key);
    last_.added = key;
    if (changed_)
      changed_(key);
    return true;
  }

  /// Starts loading what add(key, time) or remove(key, time) will look at first, if `time`
  /// has timers.
  void prefetch(const K& key, std::int64_t time) const {
    if (last_.slot != nullptr && last_.time == time) {
      last_.slot->live.prefetch(key);
    } else if (const auto it = by_time_.find(time); it != by_time_.end()) {
      it->second.live.prefetch(key);
    }
  }

  /// Removes a timer; returns whether it existed.
  bool remove(const K& key, std::int64_t time) {
    last_.added.reset();
    if (last_.slot == nullptr || last_.time != time) {
      const auto it = by_time_.find(time);
      if (it == by_time_.end())
        return false;
      last_.slot = &it->second;
      last_.time = time;
    }
    if (!last_.slot->live.erase(key))
      return false;
    if (changed_)
      changed_(key);
    if (last_.slot->live.empty()) {
      by_time_.erase(time);
      last_.slot = nullptr;
    } else {
      last_.slot->compact_if_sparse();
    }
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
      const std::size_t* live = slot.live.find(slot.order[index]);
      if (live == nullptr || *live != index)
        continue; // removed, or removed and added again later
      K key = std::move(slot.order[index]);
      slot.live.erase(key);
      last_.added.reset();
      if (slot.live.empty()) {
        if (last_.slot == &slot)
          last_.slot = nullptr;
        by_time_.erase(it);
      }
      if (changed_)
        changed_(key);
      fire(key, time);
    }
  }

  /// Calls f(key, time) for every live timer, in firing order (a snapshot reads them so).
  template <class F>
  void for_each(F&& f) const {
    for (const auto& [time, slot] : by_time_)
      for (std::size_t i = slot.next; i < slot.order.size(); ++i) {
        const std::size_t* live = slot.live.find(slot.order[i]);
        if (live != nullptr && *live == i)
          f(slot.order[i], time);
      }
  }

  std::optional<std::int64_t> earliest() const {
    if (by_time_.empty())
      return std::nullopt;
    return by_time_.begin()->first;
  }
  bool empty() const { return by_time_.empty(); }

  /// Calls changed(key) for every timer added, removed or fired from now on (a snapshot of the
  /// queue flags the key group of each: timer_queue_snapshot.hpp).
  void on_change(std::function<void(const K&)> changed) { changed_ = std::move(changed); }

private:
  /// The timers of one time: keys in registration order from `next` on, including removed ones,
  /// and each live key with its index in `order`. Never empty of live keys.
  struct time_slot {
    std::vector<K> order;
    std::size_t next = 0;
    timers_detail::key_index_table<K> live;

    /// Drops removed and fired keys from `order` once they outnumber the live ones.
    void compact_if_sparse() {
      if (order.size() - next <= 2 * live.size())
        return;
      std::vector<K> kept;
      kept.reserve(live.size());
      for (std::size_t i = next; i < order.size(); ++i) {
        std::size_t* found = live.find(order[i]);
        if (found != nullptr && *found == i) {
          *found = kept.size();
          kept.push_back(std::move(order[i]));
        }
      }
      order = std::move(kept);
      next = 0;
    }
  };

  /// The slot of the last time added to or removed from, and the key of the last add while it
  /// stays registered at that time; copies start without either.
  struct last_slot {
    time_slot* slot = nullptr;
    std::int64_t time = 0;
    std::optional<K> added;
    last_slot() = default;
    last_slot(const last_slot&) {}
    last_slot& operator=(const last_slot&) {
      slot = nullptr;
      added.reset();
      return *this;
    }
  };

  std::map<std::int64_t, time_slot> by_time_;
  last_slot last_;
  std::function<void(const K&)> changed_;
};

} // namespace sluice
