#pragma once
// The window contents of one key in window_operator: a few windows at a time (one or two
// tumbling, size / slide sliding, a session or two), so a vector searched linearly beats a tree.
// Each entry also remembers the event-time timer the trigger last registered for it.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace sluice::windows_detail {

template <class W, class C> class window_contents_table {
public:
  struct entry {
    W window;
    C contents;
    /// The time of an event-time timer of (key, window) known to be registered, if any.
    std::optional<std::int64_t> event_timer;
  };

  /// The entry of `window`, or nullptr. Valid until the next emplace or erase.
  entry* find(const W& window) {
    for (entry& e : entries_) {
      if (e.window == window)
        return &e;
    }
    return nullptr;
  }

  /// Adds `window`, which must be absent.
  entry& emplace(const W& window, C contents) {
    entries_.push_back(entry{window, std::move(contents), std::nullopt});
    return entries_.back();
  }

  /// Removes the entry `e` points at (order is not kept).
  void erase(entry* e) {
    if (e != &entries_.back())
      *e = std::move(entries_.back());
    entries_.pop_back();
  }

  /// Removes the entry of `window` if there is one.
  void erase(const W& window) {
    if (entry* e = find(window))
      erase(e);
  }

  bool empty() const { return entries_.empty(); }

private:
  std::vector<entry> entries_;
};

} // namespace sluice::windows_detail
