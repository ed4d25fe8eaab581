#include "nearest_name.hpp"

#include <algorithm>

namespace sluice {

namespace {

/// Optimal string alignment distance (Damerau-Levenshtein without repeated edits of a substring)
/// of `a` and `b` if it is at most `bound`, else bound + 1. Three rows of the table; it stops
/// once two rows in a row exceed `bound`, since no later entry can be smaller.
std::size_t edit_distance(const std::string& a, const std::string& b, std::size_t bound) {
  std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    previous[j] = j;
  bool previous_over = false; // row 0 holds a 0
  for (std::size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    std::size_t row_min = row[0];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        row[j] = std::min(row[j], before[j - 2] + 1);
      row_min = std::min(row_min, row[j]);
    }
    const bool over = row_min > bound;
    if (over && previous_over)
      return bound + 1;
    previous_over = over;
    std::swap(before, previous);
    std::swap(previous, row);
  }
  return std::min(previous[b.size()], bound + 1);
}

} // namespace

std::optional<std::string> nearest_name(const std::string& name,
                                        const std::vector<std::string>& known) {
  const std::size_t limit = std::max<std::size_t>(2, name.size() / 3);
  std::optional<std::string> best;
  std::size_t best_distance = limit + 1;
  for (const auto& candidate : known) {
    // The distance is at least the difference of the lengths: skip what cannot be nearer
    // (so a long unknown name costs no quadratic comparisons).
    const auto shorter = std::min(name.size(), candidate.size());
    if (std::max(name.size(), candidate.size()) - shorter >= best_distance)
      continue;
    const auto distance = edit_distance(name, candidate, best_distance - 1);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

} // namespace sluice
