#pragma once
// Key groups, exactly as in Apache Flink (KeyGroupRangeAssignment).
//
// A key's group is hash(key) % max_parallelism, where the hash is already well mixed (see
// key_hash.hpp). Key groups are the unit of keyed state and of rescaling: subtask i of an
// operator with parallelism p owns the contiguous range key_group_range_for_subtask(maxp, p, i),
// and a key group g belongs to subtask g * p / maxp. The two agree for every key group.

#include <cstdint>

namespace sluice {

/// Largest max parallelism (number of key groups) allowed, as in Flink (2^15).
inline constexpr int max_key_groups = 32768;

/// An inclusive range [first, last] of key groups; empty when last < first.
struct key_group_range {
  int first = 0;
  int last = -1;

  /// True if `key_group` lies in the range.
  bool contains(int key_group) const { return key_group >= first && key_group <= last; }

  /// Number of key groups in the range (0 when empty).
  int size() const { return last < first ? 0 : last - first + 1; }

  /// True if the range holds no key group.
  bool empty() const { return last < first; }

  friend bool operator==(const key_group_range& a, const key_group_range& b) {
    return a.first == b.first && a.last == b.last;
  }
  friend bool operator!=(const key_group_range& a, const key_group_range& b) { return !(a == b); }
};

namespace detail {
[[noreturn]] void throw_bad_max_parallelism(int max_parallelism);
[[noreturn]] void throw_bad_parallelism(int parallelism, int max_parallelism);
[[noreturn]] void throw_bad_key_group(int key_group, int max_parallelism);
[[noreturn]] void throw_bad_subtask(int subtask, int parallelism);
} // namespace detail

/// Throws std::invalid_argument unless 1 <= max_parallelism <= max_key_groups.
inline void check_max_parallelism(int max_parallelism) {
  if (max_parallelism < 1 || max_parallelism > max_key_groups)
    detail::throw_bad_max_parallelism(max_parallelism);
}

/// Throws std::invalid_argument unless max_parallelism is valid and
/// 1 <= parallelism <= max_parallelism.
inline void check_parallelism(int parallelism, int max_parallelism) {
  check_max_parallelism(max_parallelism);
  if (parallelism < 1 || parallelism > max_parallelism)
    detail::throw_bad_parallelism(parallelism, max_parallelism);
}

/// The key group of an already mixed hash: hash % max_parallelism.
inline int key_group_for_hash(std::uint64_t hash, int max_parallelism) {
  check_max_parallelism(max_parallelism);
  return static_cast<int>(hash % static_cast<std::uint64_t>(max_parallelism));
}

/// The subtask that owns `key_group`: key_group * parallelism / max_parallelism.
inline int subtask_for_key_group(int key_group, int parallelism, int max_parallelism) {
  check_parallelism(parallelism, max_parallelism);
  if (key_group < 0 || key_group >= max_parallelism)
    detail::throw_bad_key_group(key_group, max_parallelism);
  return static_cast<int>(std::int64_t{key_group} * parallelism / max_parallelism);
}

/// The key groups owned by `subtask` (0-based) at `parallelism` (Flink's
/// computeKeyGroupRangeForOperatorIndex); never empty, and the ranges of subtasks 0..p-1 are
/// contiguous and cover 0..max_parallelism-1.
key_group_range key_group_range_for_subtask(int max_parallelism, int parallelism, int subtask);

} // namespace sluice
