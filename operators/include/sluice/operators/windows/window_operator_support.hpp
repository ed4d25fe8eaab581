#pragma once
// Helpers of window_operator: window assignment over the different assigner shapes, lateness
// arithmetic, and the operator's settings.

#include "sluice/operators/time/timestamps.hpp"
#include "sluice/operators/windows/triggers.hpp"
#include "sluice/operators/windows/window_assigners.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

namespace sluice {

namespace windows_detail {

template <class A, class T, class = void> struct assigns_by_element : std::false_type {};
template <class A, class T>
struct assigns_by_element<
    A, T, std::void_t<decltype(std::declval<const A&>().assign(std::declval<const T&>(), 0))>>
    : std::true_type {};

/// The windows of `element` at `timestamp`, whatever the assigner's assign() takes. Tumbling
/// and session windows, one per element, come in an array: their assign() allocates a vector.
template <class A, class T>
auto assign_windows(const A& assigner, const T& element, std::int64_t timestamp) {
  if constexpr (std::is_same_v<A, global_windows>) {
    return assigner.assign();
  } else if constexpr (std::is_same_v<A, tumbling_windows>) {
    return std::array<time_window, 1>{assigner.window_of(timestamp)};
  } else if constexpr (std::is_same_v<A, session_windows>) {
    return std::array<time_window, 1>{time_window{timestamp, timestamp + assigner.gap()}};
  } else if constexpr (assigns_by_element<A, T>::value) {
    return assigner.assign(element, timestamp);
  } else {
    return assigner.assign(timestamp);
  }
}

/// True if assigner A works in event time (global windows do not: they have no time).
template <class A> bool is_event_time(const A& assigner) {
  if constexpr (std::is_same_v<A, global_windows>) {
    return false;
  } else {
    return assigner.domain() == time_domain::event_time;
  }
}

/// a + b for b >= 0, saturating at INT64_MAX (Flink relies on Java's wrap-around checks).
inline std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  return a > std::numeric_limits<std::int64_t>::max() - b ? std::numeric_limits<std::int64_t>::max()
                                                          : a + b;
}

/// The default trigger of assigner A (Flink's getDefaultTrigger).
template <class W, class A> std::shared_ptr<const trigger<W>> default_trigger(const A& assigner) {
  if constexpr (std::is_same_v<A, global_windows>) {
    return std::make_shared<never_trigger<W>>();
  } else if (assigner.domain() == time_domain::event_time) {
    return std::make_shared<event_time_trigger<W>>();
  } else {
    return std::make_shared<processing_time_trigger<W>>();
  }
}

} // namespace windows_detail

/// The window type assigner A produces.
template <class A, class T>
using window_type_t = typename decltype(windows_detail::assign_windows(
    std::declval<const A&>(), std::declval<const T&>(), 0))::value_type;

/// How a window operator fires and when it drops state.
template <class W> struct window_settings {
  std::shared_ptr<const trigger<W>> window_trigger; ///< null: the assigner's default
  std::int64_t allowed_lateness = 0;                ///< ms, >= 0
  std::string late_data_tag;                        ///< side output of late records; "" = drop
};

/// Sets a timestamp slot for the lifetime of the guard (window results carry the window's
/// max_timestamp, the records after them their own).
class slot_override {
public:
  slot_override(timestamp_slot* slot, std::int64_t value)
      : slot_(slot), saved_(slot ? slot->value : no_timestamp) {
    if (slot_) {
      slot_->value = value;
    }
  }
  ~slot_override() {
    if (slot_) {
      slot_->value = saved_;
    }
  }
  slot_override(const slot_override&) = delete;
  slot_override& operator=(const slot_override&) = delete;

private:
  timestamp_slot* slot_;
  std::int64_t saved_;
};

} // namespace sluice
