#pragma once
// The window contents of one key in window_operator: a few windows at a time (those the
// watermark has not passed yet), so a vector searched linearly beats a tree. Searches start
// from the newest entry, which most elements belong to and which is kept inline. Each entry
// also remembers an event-time timer the trigger registered for it.

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
    if (newest_ && newest_->window == window)
      return &*newest_;
    for (auto e = older_.rbegin(); e != older_.rend(); ++e) {
      if (e->window == window)
        return &*e;
    }
    return nullptr;
  }

  /// Adds `window`, which must be absent.
  entry& emplace(const W& window, C contents) {
    if (newest_)
      older_.push_back(std::move(*newest_));
    newest_.emplace(entry{window, std::move(contents), std::nullopt});
    return *newest_;
  }

  /// Removes the entry `e` points at.
  void erase(entry* e) {
    if (e != &*newest_) {
      older_.erase(older_.begin() + (e - older_.data()));
    } else if (older_.empty()) {
      newest_.reset();
    } else {
      *newest_ = std::move(older_.back());
      older_.pop_back();
    }
  }

  /// Removes the entry of `window` if there is one.
  void erase(const W& window) {
    if (entry* e = find(window))
      erase(e);
  }

  bool empty() const { return !newest_; }

private:
  /// The last entry added (kept inline: most elements belong to it), then the others in the
  /// order they were added. Empty only if there are no entries.
  std::optional<entry> newest_;
  std::vector<entry> older_;
};

} // namespace sluice::windows_detail
