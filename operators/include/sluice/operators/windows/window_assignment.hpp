#pragma once
// Assigning elements to windows, whatever the shape of the assigner's assign(), the window type
// an assigner produces, its time domain and its default trigger.

#include "sluice/operators/windows/triggers.hpp"
#include "sluice/operators/windows/window_assigners.hpp"

#include <array>
#include <cstdint>
#include <memory>
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

} // namespace sluice
