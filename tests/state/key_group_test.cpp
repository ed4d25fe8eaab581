// Key groups: Flink's assignment of key groups to subtasks.

#include "sluice/state/key_group.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

using namespace sluice;

namespace {

/// Checks that the ranges of subtasks 0..p-1 tile 0..maxp-1 in order, that range sizes differ by
/// at most one, and that subtask_for_key_group names the one subtask whose range holds each group.
void check_assignment(int maxp, int p) {
  CAPTURE(maxp);
  CAPTURE(p);
  std::vector<key_group_range> ranges;
  for (int s = 0; s < p; ++s)
    ranges.push_back(key_group_range_for_subtask(maxp, p, s));
  int errors = 0;
  int next_first = 0;
  int smallest = maxp;
  int largest = 0;
  for (const auto& range : ranges) {
    errors += range.first != next_first || range.empty();
    smallest = std::min(smallest, range.size());
    largest = std::max(largest, range.size());
    next_first = range.last + 1;
  }
  CHECK(errors == 0);
  CHECK(next_first == maxp);
  CHECK(largest - smallest <= 1);
  for (int kg = 0; kg < maxp; ++kg) {
    int owner = subtask_for_key_group(kg, p, maxp);
    errors += owner < 0 || owner >= p || !ranges[static_cast<std::size_t>(owner)].contains(kg);
  }
  CHECK(errors == 0);
}

/// Brute force: each key group lies in exactly one subtask's range.
void check_single_owner(int maxp, int p) {
  int errors = 0;
  for (int kg = 0; kg < maxp; ++kg) {
    int owners = 0;
    for (int s = 0; s < p; ++s)
      owners += key_group_range_for_subtask(maxp, p, s).contains(kg);
    errors += owners != 1;
  }
  CHECK(errors == 0);
}

} // namespace

TEST_CASE("key_group_range") {
  key_group_range empty;
  CHECK(empty.empty());
  CHECK(empty.size() == 0);
  CHECK_FALSE(empty.contains(0));
  key_group_range r{3, 5};
  CHECK(r.size() == 3);
  CHECK_FALSE(r.empty());
  CHECK_FALSE(r.contains(2));
  CHECK(r.contains(3));
  CHECK(r.contains(5));
  CHECK_FALSE(r.contains(6));
  CHECK(key_group_range{7, 7}.size() == 1);
  CHECK(key_group_range{7, 6}.empty());
  CHECK(r == key_group_range{3, 5});
  CHECK(r != key_group_range{3, 6});
}

TEST_CASE("key_group_for_hash is hash modulo max parallelism") {
  CHECK(key_group_for_hash(0, 128) == 0);
  CHECK(key_group_for_hash(127, 128) == 127);
  CHECK(key_group_for_hash(128, 128) == 0);
  CHECK(key_group_for_hash(1000, 7) == 6);
  CHECK(key_group_for_hash(std::numeric_limits<std::uint64_t>::max(), 128) == 127);
  CHECK(key_group_for_hash(std::numeric_limits<std::uint64_t>::max(), 1000) == 615);
  CHECK(key_group_for_hash(12345, 1) == 0);
}

TEST_CASE("Flink's ranges for max parallelism 128 and parallelism 3") {
  CHECK(key_group_range_for_subtask(128, 3, 0) == key_group_range{0, 42});
  CHECK(key_group_range_for_subtask(128, 3, 1) == key_group_range{43, 85});
  CHECK(key_group_range_for_subtask(128, 3, 2) == key_group_range{86, 127});
  CHECK(subtask_for_key_group(42, 3, 128) == 0);
  CHECK(subtask_for_key_group(43, 3, 128) == 1);
  CHECK(subtask_for_key_group(85, 3, 128) == 1);
  CHECK(subtask_for_key_group(86, 3, 128) == 2);
  CHECK(key_group_range_for_subtask(128, 1, 0) == key_group_range{0, 127});
  CHECK(key_group_range_for_subtask(128, 128, 77) == key_group_range{77, 77});
  CHECK(key_group_range_for_subtask(10, 4, 0) == key_group_range{0, 2});
  CHECK(key_group_range_for_subtask(10, 4, 1) == key_group_range{3, 4});
  CHECK(key_group_range_for_subtask(10, 4, 2) == key_group_range{5, 7});
  CHECK(key_group_range_for_subtask(10, 4, 3) == key_group_range{8, 9});
}

TEST_CASE("max parallelism 128: every parallelism 1..128 assigns consistently") {
  for (int p = 1; p <= 128; ++p) {
    check_assignment(128, p);
    check_single_owner(128, p);
  }
}

TEST_CASE("other max parallelisms assign consistently") {
  for (int maxp : {1, 2, 7, 100, 255, 1000})
    for (int p : {1, 2, 3, 7, 64, 99, 100, 255, 1000})
      if (p <= maxp)
        check_assignment(maxp, p);
  for (int p : {1, 3, 1000, 32767, 32768})
    check_assignment(32768, p);
}

TEST_CASE("invalid arguments throw std::invalid_argument") {
  CHECK_THROWS_AS(key_group_for_hash(1, 0), std::invalid_argument);
  CHECK_THROWS_AS(key_group_for_hash(1, -5), std::invalid_argument);
  CHECK_THROWS_AS(key_group_for_hash(1, 32769), std::invalid_argument);
  CHECK_NOTHROW(key_group_for_hash(1, 32768));

  CHECK_THROWS_AS(subtask_for_key_group(0, 0, 128), std::invalid_argument);
  CHECK_THROWS_AS(subtask_for_key_group(0, 129, 128), std::invalid_argument);
  CHECK_THROWS_AS(subtask_for_key_group(0, 1, 0), std::invalid_argument);
  CHECK_THROWS_AS(subtask_for_key_group(0, 1, 40000), std::invalid_argument);
  CHECK_THROWS_AS(subtask_for_key_group(-1, 4, 128), std::invalid_argument);
  CHECK_THROWS_AS(subtask_for_key_group(128, 4, 128), std::invalid_argument);

  CHECK_THROWS_AS(key_group_range_for_subtask(0, 1, 0), std::invalid_argument);
  CHECK_THROWS_AS(key_group_range_for_subtask(32769, 1, 0), std::invalid_argument);
  CHECK_THROWS_AS(key_group_range_for_subtask(128, 0, 0), std::invalid_argument);
  CHECK_THROWS_AS(key_group_range_for_subtask(128, 129, 0), std::invalid_argument);
  CHECK_THROWS_AS(key_group_range_for_subtask(128, 4, 4), std::invalid_argument);
  CHECK_THROWS_AS(key_group_range_for_subtask(128, 4, -1), std::invalid_argument);

  CHECK_THROWS_WITH_AS(key_group_for_hash(1, 0), "max parallelism must be in [1, 32768], got 0",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(key_group_range_for_subtask(128, 200, 0),
                       "parallelism must be in [1, max parallelism 128], got 200",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(key_group_range_for_subtask(128, 4, 4),
                       "subtask index must be in [0, 3], got 4", std::invalid_argument);
  CHECK_THROWS_WITH_AS(subtask_for_key_group(128, 4, 128), "key group must be in [0, 127], got 128",
                       std::invalid_argument);
}
