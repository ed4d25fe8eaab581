#pragma once
// Where a job's slots go: spread over the task managers that offer them (pure logic).

#include <vector>

namespace sluice {

/// Slot `i` of a job on the task managers' slots.
struct slot_ref {
  int task_manager = 0; ///< index into the offers
  int slot = 0;         ///< the slot within that task manager
};

/// Places `needed` job slots on task managers offering `offers[t]` slots each, spreading them:
/// job slot i goes to the task manager after the one that took slot i-1 with a free slot.
/// Returns an empty vector if the offers hold fewer than `needed` slots.
std::vector<slot_ref> place_slots(const std::vector<int>& offers, int needed);

} // namespace sluice
