#pragma once
// Merging of session windows: Flink's TimeWindow.mergeWindows and MergingWindowSet.

#include "sluice/operators/windows/time_window.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <vector>

namespace sluice {

/// One merge: `result` covers and replaces the windows in `merged`.
struct merge_group {
  time_window result;
  std::vector<time_window> merged; ///< at least two distinct windows, sorted
};

/// Flink's TimeWindow.mergeWindows: sorts the windows by start, folds each into the running
/// cover while it intersects (touching windows such as [0, 5) and [5, 10) merge), and returns
/// the groups of more than one distinct window, by ascending start. Duplicates count once.
inline std::vector<merge_group> merge_windows(std::vector<time_window> windows) {
  std::sort(windows.begin(), windows.end());
  windows.erase(std::unique(windows.begin(), windows.end()), windows.end());
  std::vector<merge_group> groups;
  std::optional<merge_group> current;
  for (const time_window& candidate : windows) {
    if (current && current->result.intersects(candidate)) {
      current->result = current->result.cover(candidate);
      current->merged.push_back(candidate);
      continue;
    }
    if (current && current->merged.size() > 1) {
      groups.push_back(std::move(*current));
    }
    current = merge_group{candidate, {candidate}};
  }
  if (current && current->merged.size() > 1) {
    groups.push_back(std::move(*current));
  }
  return groups;
}

/// A merge performed by merging_window_set::add_window, as Flink's MergeFunction sees it: the
/// operator merges the state of `merged_state_windows` into `state_window`, and moves triggers
/// and cleanup timers from `merged` to `result`.
struct window_merge {
  time_window result;                            ///< the new in-flight window
  std::vector<time_window> merged;               ///< in-flight windows it replaces (sorted; never
                                                 ///< the added window)
  time_window state_window;                      ///< state namespace of `result`
  std::vector<time_window> merged_state_windows; ///< state namespaces to merge into it
};

/// What merging_window_set::add_window did.
struct add_window_result {
  /// Where the added window ended up: itself, or the window it merged into. Elements and
  /// trigger calls go to this window only.
  time_window window;
  std::vector<window_merge> merges; ///< to apply to state and timers, in order
};

/// The in-flight windows of one key under a merging assigner (Flink's MergingWindowSet). Each
/// in-flight window maps to its state window: the window whose namespace holds its state. A
/// merge keeps the state window of one of the merged windows (here: the earliest), so growing
/// a session never moves its state.
class merging_window_set {
public:
  merging_window_set() = default;
  /// Restores from a snapshot of mapping().
  explicit merging_window_set(std::map<time_window, time_window> mapping)
      : mapping_(std::move(mapping)) {}

  /// Adds `new_window`, merging it with every in-flight window it intersects. Differs from
  /// Flink in one corner only: re-adding an existing in-flight window keeps its state window
  /// (Flink would remap it to itself and orphan the state).
  add_window_result add_window(const time_window& new_window) {
    if (auto single = add_meeting_at_most_one(new_window)) {
      return std::move(*single);
    }
    std::vector<time_window> windows;
    windows.reserve(mapping_.size() + 1);
    for (const auto& entry : mapping_) {
      windows.push_back(entry.first);
    }
    windows.push_back(new_window);

    const bool in_flight = mapping_.count(new_window) != 0;
    add_window_result out{new_window, {}};
    bool merged_new_window = false;
    for (merge_group& group : merge_windows(std::move(windows))) {
      auto self = std::find(group.merged.begin(), group.merged.end(), new_window);
      if (self != group.merged.end()) {
        merged_new_window = true;
        out.window = group.result;
        if (!in_flight) {
          group.merged.erase(self); // the new window has no state to merge
        }
      }
      window_merge merge{group.result, std::move(group.merged), {}, {}};
      merge.state_window = mapping_.at(merge.merged.front());
      for (const time_window& w : merge.merged) {
        const auto found = mapping_.find(w);
        if (found->second != merge.state_window) {
          merge.merged_state_windows.push_back(found->second);
        }
        mapping_.erase(found);
      }
      mapping_[merge.result] = merge.state_window;
      // an existing window swallowing the new one without growing is no merge at all
      const bool unchanged = merge.merged.size() == 1 && merge.merged.front() == merge.result;
      if (!unchanged) {
        out.merges.push_back(std::move(merge));
      }
    }
    if (!merged_new_window) {
      mapping_.emplace(new_window, new_window);
    }
    return out;
  }

  /// The state window of in-flight window `w`, or nullopt if `w` is not in flight.
  std::optional<time_window> state_window(const time_window& w) const {
    const auto found = mapping_.find(w);
    return found == mapping_.end() ? std::nullopt : std::optional<time_window>(found->second);
  }

  /// Removes in-flight window `w` (after it fired for the last time or was found late).
  /// Throws std::logic_error if `w` is not in flight.
  void retire_window(const time_window& w) {
    if (mapping_.erase(w) == 0) {
      throw std::logic_error("merging_window_set: retiring a window that is not in flight");
    }
  }

  /// In-flight window -> state window, ordered by window; for snapshots.
  const std::map<time_window, time_window>& mapping() const { return mapping_; }

private:
  /// add_window for the common case, without sorting or copying: `new_window` intersects no
  /// in-flight window, or exactly one (which it extends, or lies within). nullopt otherwise.
  /// In-flight windows never intersect one another, so only the last one starting by the end
  /// of `new_window`, and the one before it, can intersect it.
  std::optional<add_window_result> add_meeting_at_most_one(const time_window& new_window) {
    const auto after = mapping_.upper_bound(
        time_window{new_window.end, std::numeric_limits<std::int64_t>::max()});
    if (after == mapping_.begin() || !std::prev(after)->first.intersects(new_window)) {
      mapping_.emplace(new_window, new_window);
      return add_window_result{new_window, {}};
    }
    const auto hit = std::prev(after);
    if (hit != mapping_.begin() && std::prev(hit)->first.intersects(new_window)) {
      return std::nullopt;
    }
    const time_window old = hit->first;
    const time_window result = old.cover(new_window);
    if (result == old) {
      return add_window_result{old, {}};
    }
    const time_window state_window = hit->second;
    mapping_.erase(hit);
    mapping_.emplace(result, state_window);
    return add_window_result{result, {window_merge{result, {old}, state_window, {}}}};
  }

  std::map<time_window, time_window> mapping_;
};

} // namespace sluice
