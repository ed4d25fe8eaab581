#pragma once
// Window assigners: which windows an element belongs to, as Flink's tumbling, sliding, session
// and global window assigners. Event time and processing time differ only in the timestamp
// the caller passes (the element's or the clock's) and in the default trigger, so one class
// per kind carries a time_domain.

#include "sluice/operators/windows/time_window.hpp"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sluice {

/// Which clock drives an assigner; selects the default trigger (event-time or processing-time).
enum class time_domain { event_time, processing_time };

namespace windows_detail {

inline void require(bool ok, const char* assigner, const std::string& what) {
  if (!ok) {
    throw std::invalid_argument(std::string(assigner) + ": " + what);
  }
}

/// Flink's `abs(offset) < period`, without overflowing on INT64_MIN.
inline bool offset_within(std::int64_t offset, std::int64_t period) {
  return offset > -period && offset < period;
}

/// The window [start, start + size); throws std::overflow_error if its end overflows int64
/// (timestamps within a window size of INT64_MAX).
inline time_window window_from(std::int64_t start, std::int64_t size) {
  std::int64_t end = 0;
  if (__builtin_add_overflow(start, size, &end)) {
    throw std::overflow_error("window assigner: the end of the window starting at " +
                              std::to_string(start) + " overflows int64");
  }
  return {start, end};
}

} // namespace windows_detail

/// Non-overlapping windows of a fixed size, starting at `offset + k * size`.
class tumbling_windows {
public:
  /// Throws std::invalid_argument unless size > 0 and |offset| < size.
  tumbling_windows(std::int64_t size, std::int64_t offset = 0,
                   time_domain domain = time_domain::event_time)
      : size_(size), offset_(offset), domain_(domain) {
    windows_detail::require(size > 0, "tumbling_windows",
                            "size must be > 0 (got " + std::to_string(size) + ")");
    windows_detail::require(windows_detail::offset_within(offset, size), "tumbling_windows",
                            "offset must satisfy |offset| < size (got offset " +
                                std::to_string(offset) + ", size " + std::to_string(size) + ")");
  }

  /// The one window containing `timestamp`.
  std::vector<time_window> assign(std::int64_t timestamp) const { return {window_of(timestamp)}; }
  time_window window_of(std::int64_t timestamp) const {
    return windows_detail::window_from(window_start_with_offset(timestamp, offset_, size_), size_);
  }
  /// Calls f(window) for the window of `timestamp` (as sliding_windows::for_each_window).
  template <class F> void for_each_window(std::int64_t timestamp, F&& f) const {
    f(window_of(timestamp));
  }
  /// Window starts repeat every period(): timestamps in [s, s + period()), s the start of the
  /// window of one of them, have the same windows, which for_each_window_from(s, ...) gives.
  std::int64_t period() const { return size_; }
  template <class F>
  void for_each_window_from(std::int64_t period_start, std::int64_t, F&& f) const {
    f(windows_detail::window_from(period_start, size_));
  }

  static constexpr bool is_merging() { return false; }
  std::int64_t size() const { return size_; }
  std::int64_t offset() const { return offset_; }
  time_domain domain() const { return domain_; }

private:
  std::int64_t size_;
  std::int64_t offset_;
  time_domain domain_;
};

/// Windows of `size` starting every `slide` at `offset + k * slide`; they overlap when
/// slide < size, and leave gaps when slide > size (as in Flink, both are allowed).
class sliding_windows {
public:
  /// Throws std::invalid_argument unless size > 0, slide > 0 and |offset| < slide.
  sliding_windows(std::int64_t size, std::int64_t slide, std::int64_t offset = 0,
                  time_domain domain = time_domain::event_time)
      : size_(size), slide_(slide), offset_(offset), domain_(domain) {
    windows_detail::require(size > 0, "sliding_windows",
                            "size must be > 0 (got " + std::to_string(size) + ")");
    windows_detail::require(slide > 0, "sliding_windows",
                            "slide must be > 0 (got " + std::to_string(slide) + ")");
    windows_detail::require(windows_detail::offset_within(offset, slide), "sliding_windows",
                            "offset must satisfy |offset| < slide (got offset " +
                                std::to_string(offset) + ", slide " + std::to_string(slide) + ")");
  }

  /// All windows containing `timestamp`, in Flink's order: the latest start first, then each
  /// start one slide earlier while the window still contains the timestamp.
  std::vector<time_window> assign(std::int64_t timestamp) const {
    std::vector<time_window> windows;
    windows.reserve(static_cast<std::size_t>(size_ / slide_ + 1));
    for_each_window(timestamp, [&](const time_window& w) { windows.push_back(w); });
    return windows;
  }
  /// Calls f(window) for each window assign(timestamp) returns, in its order, building nothing.
  template <class F> void for_each_window(std::int64_t timestamp, F&& f) const {
    for_each_window_from(window_start_with_offset(timestamp, offset_, slide_), timestamp, f);
  }
  /// As tumbling_windows::period: the latest window of `timestamp` starts at `period_start`.
  std::int64_t period() const { return slide_; }
  template <class F>
  void for_each_window_from(std::int64_t period_start, std::int64_t timestamp, F&& f) const {
    for (std::int64_t start = period_start; start > timestamp - size_; start -= slide_) {
      f(windows_detail::window_from(start, size_));
    }
  }

  static constexpr bool is_merging() { return false; }
  std::int64_t size() const { return size_; }
  std::int64_t slide() const { return slide_; }
  std::int64_t offset() const { return offset_; }
  time_domain domain() const { return domain_; }

private:
  std::int64_t size_;
  std::int64_t slide_;
  std::int64_t offset_;
  time_domain domain_;
};

/// Session windows with a fixed gap: each element opens [timestamp, timestamp + gap), and
/// windows that intersect are merged (see merge_windows.hpp).
class session_windows {
public:
  /// Throws std::invalid_argument unless gap > 0.
  explicit session_windows(std::int64_t gap, time_domain domain = time_domain::event_time)
      : gap_(gap), domain_(domain) {
    windows_detail::require(gap > 0, "session_windows",
                            "gap must be > 0 (got " + std::to_string(gap) + ")");
  }

  std::vector<time_window> assign(std::int64_t timestamp) const {
    return {time_window{timestamp, timestamp + gap_}};
  }

  static constexpr bool is_merging() { return true; }
  std::int64_t gap() const { return gap_; }
  time_domain domain() const { return domain_; }

private:
  std::int64_t gap_;
  time_domain domain_;
};

/// Session windows whose gap is computed per element by `GapFn` (element -> int64 gap in ms),
/// as Flink's DynamicEventTimeSessionWindows / DynamicProcessingTimeSessionWindows.
template <typename GapFn> class dynamic_session_windows {
public:
  explicit dynamic_session_windows(GapFn gap_of, time_domain domain = time_domain::event_time)
      : gap_of_(std::move(gap_of)), domain_(domain) {}

  /// [timestamp, timestamp + gap_of(element)); throws std::invalid_argument if that gap <= 0.
  template <typename T>
  std::vector<time_window> assign(const T& element, std::int64_t timestamp) const {
    const std::int64_t gap = gap_of_(element);
    windows_detail::require(gap > 0, "dynamic_session_windows",
                            "gap must be > 0 (got " + std::to_string(gap) + ")");
    return {time_window{timestamp, timestamp + gap}};
  }

  static constexpr bool is_merging() { return true; }
  time_domain domain() const { return domain_; }

private:
  GapFn gap_of_;
  time_domain domain_;
};

/// Puts every element into the single global_window; needs a custom trigger to ever fire.
struct global_windows {
  std::vector<global_window> assign() const { return {global_window{}}; }
  static constexpr bool is_merging() { return false; }
};

} // namespace sluice
