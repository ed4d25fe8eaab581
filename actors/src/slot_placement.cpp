#include "slot_placement.hpp"

#include <numeric>

namespace sluice {

std::vector<slot_ref> place_slots(const std::vector<int>& offers, int needed) {
  if (needed <= 0 || std::accumulate(offers.begin(), offers.end(), 0) < needed)
    return {};
  std::vector<int> used(offers.size(), 0);
  std::vector<slot_ref> placement;
  std::size_t next = 0;
  while (static_cast<int>(placement.size()) < needed) {
    auto t = next++ % offers.size();
    if (used[t] < offers[t])
      placement.push_back(slot_ref{static_cast<int>(t), used[t]++});
  }
  return placement;
}

} // namespace sluice
