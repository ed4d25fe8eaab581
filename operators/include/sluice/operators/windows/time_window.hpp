#pragma once
// The window types of the windowing API: time windows [start, end) and the single global window.
// Arithmetic follows Flink's TimeWindow exactly (window starts, intersects, cover). A window's
// byte form is the namespace of its state in the keyed state backend.

#include "sluice/state/serializer_fields.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <ostream>

namespace sluice {

/// A window over the half-open time interval [start, end), in milliseconds.
struct time_window {
  std::int64_t start = 0;
  std::int64_t end = 0;

  /// The largest timestamp that still belongs to the window (Flink's maxTimestamp()).
  std::int64_t max_timestamp() const { return end - 1; }

  /// True if the windows overlap or touch: as in Flink, [0, 5) and [5, 10) intersect.
  bool intersects(const time_window& other) const {
    return start <= other.end && end >= other.start;
  }

  /// The smallest window covering both this window and `other`.
  time_window cover(const time_window& other) const {
    return {std::min(start, other.start), std::max(end, other.end)};
  }

  SLUICE_FIELDS(start, end)
};

inline bool operator==(const time_window& a, const time_window& b) {
  return a.start == b.start && a.end == b.end;
}
inline bool operator!=(const time_window& a, const time_window& b) { return !(a == b); }
/// Orders by start, then by end.
inline bool operator<(const time_window& a, const time_window& b) {
  return a.start != b.start ? a.start < b.start : a.end < b.end;
}

inline std::ostream& operator<<(std::ostream& os, const time_window& w) {
  return os << '[' << w.start << ", " << w.end << ')';
}

/// The start of the window of length `window_size` (> 0) containing `timestamp`, with window
/// starts at `offset + k * window_size`. Flink's TimeWindow.getWindowStartWithOffset (the
/// remainder form, correct for negative timestamps and offsets): with size 1000 and offset 0,
/// -1 and -1000 give -1000, -1001 gives -2000. Precondition: `timestamp - offset` does not
/// overflow.
inline std::int64_t window_start_with_offset(std::int64_t timestamp, std::int64_t offset,
                                             std::int64_t window_size) {
  const std::int64_t remainder = (timestamp - offset) % window_size;
  return remainder < 0 ? timestamp - (remainder + window_size) : timestamp - remainder;
}

/// The one window of global windowing, holding all elements of a key.
struct global_window {
  /// As in Flink, the global window never ends.
  static constexpr std::int64_t max_timestamp() {
    return std::numeric_limits<std::int64_t>::max();
  }
};

inline bool operator==(const global_window&, const global_window&) { return true; }
inline bool operator!=(const global_window&, const global_window&) { return false; }
inline bool operator<(const global_window&, const global_window&) { return false; }

inline std::ostream& operator<<(std::ostream& os, const global_window&) {
  return os << "global_window";
}

/// The global window is the only one: its byte form is empty.
template <>
struct serializer<global_window> {
  static void write(byte_writer&, const global_window&) {}
  static void read(byte_reader&, global_window&) {}
};

} // namespace sluice

namespace std {
/// Hashes start and end, so windows can key unordered state.
template <>
struct hash<sluice::time_window> {
  size_t operator()(const sluice::time_window& w) const noexcept {
    const hash<int64_t> h;
    return h(w.start) * 31 + h(w.end);
  }
};
} // namespace std
