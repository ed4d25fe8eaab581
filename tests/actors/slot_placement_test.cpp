// Placement of a job's slots on the task managers' offers.

#include "../../actors/src/slot_placement.hpp"

#include <doctest/doctest.h>

#include <map>
#include <set>

namespace {

using sluice::place_slots;

/// How many job slots each task manager got, and that no slot is used twice.
std::map<int, int> per_task_manager(const std::vector<sluice::slot_ref>& placement,
                                    const std::vector<int>& offers) {
  std::map<int, int> count;
  std::set<std::pair<int, int>> used;
  for (const auto& r : placement) {
    CHECK(r.slot >= 0);
    CHECK(r.slot < offers.at(static_cast<std::size_t>(r.task_manager)));
    CHECK(used.insert({r.task_manager, r.slot}).second);
    ++count[r.task_manager];
  }
  return count;
}

} // namespace

TEST_CASE("slots are spread over task managers, one subtask of each vertex per slot") {
  auto placement = place_slots({2, 2}, 4);
  REQUIRE(placement.size() == 4);
  CHECK(per_task_manager(placement, {2, 2}) == std::map<int, int>{{0, 2}, {1, 2}});
  // Consecutive job slots go to different task managers.
  CHECK(placement[0].task_manager != placement[1].task_manager);

  placement = place_slots({4, 4}, 2);
  REQUIRE(placement.size() == 2);
  CHECK(per_task_manager(placement, {4, 4}) == std::map<int, int>{{0, 1}, {1, 1}});
}

TEST_CASE("a task manager with fewer slots takes fewer, the others the rest") {
  auto placement = place_slots({1, 3, 0}, 4);
  REQUIRE(placement.size() == 4);
  CHECK(per_task_manager(placement, {1, 3, 0}) == std::map<int, int>{{0, 1}, {1, 3}});
}

TEST_CASE("too few slots give no placement") {
  CHECK(place_slots({1, 1}, 3).empty());
  CHECK(place_slots({}, 1).empty());
}
