#include "sluice/state/key_group.hpp"

#include <stdexcept>
#include <string>

namespace sluice {
namespace detail {

void throw_bad_max_parallelism(int max_parallelism) {
  throw std::invalid_argument("max parallelism must be in [1, " + std::to_string(max_key_groups) +
                              "], got " + std::to_string(max_parallelism));
}

void throw_bad_parallelism(int parallelism, int max_parallelism) {
  throw std::invalid_argument("parallelism must be in [1, max parallelism " +
                              std::to_string(max_parallelism) + "], got " +
                              std::to_string(parallelism));
}

void throw_bad_key_group(int key_group, int max_parallelism) {
  throw std::invalid_argument("key group must be in [0, " + std::to_string(max_parallelism - 1) +
                              "], got " + std::to_string(key_group));
}

void throw_bad_subtask(int subtask, int parallelism) {
  throw std::invalid_argument("subtask index must be in [0, " + std::to_string(parallelism - 1) +
                              "], got " + std::to_string(subtask));
}

} // namespace detail

key_group_range key_group_range_for_subtask(int max_parallelism, int parallelism, int subtask) {
  check_parallelism(parallelism, max_parallelism);
  if (subtask < 0 || subtask >= parallelism)
    detail::throw_bad_subtask(subtask, parallelism);
  std::int64_t maxp = max_parallelism;
  std::int64_t p = parallelism;
  auto first = (subtask * maxp + p - 1) / p;
  auto last = ((subtask + 1) * maxp + p - 1) / p - 1;
  return {static_cast<int>(first), static_cast<int>(last)};
}

} // namespace sluice
