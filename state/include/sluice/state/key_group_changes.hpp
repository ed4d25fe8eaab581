#pragma once
// The key groups a snapshot participant changed since the heap backend's previous incremental
// snapshot: one byte per key group of the subtask's range, set on the per-record path (one
// store), taken and cleared by the snapshot. A participant that keeps one returns it from
// keyed_snapshot_participant::changes(); the heap backend starts tracking when it registers,
// and its incremental snapshots then write the participant's sections of the flagged key
// groups only, referencing the others as they do the states'. Before that, and on RocksDB,
// marks are ignored.

#include "sluice/state/key_group.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sluice {

class key_group_changes {
public:
  /// Tracks the key groups of `range` (of `max_parallelism` key groups), none flagged yet.
  void track(key_group_range range, int max_parallelism) {
    first_ = range.first;
    max_parallelism_ = max_parallelism;
    const auto mp = static_cast<std::uint64_t>(max_parallelism);
    mask_ = (mp & (mp - 1)) == 0 ? mp - 1 : 0;
    flags_.assign(static_cast<std::size_t>(range.size()), 0);
  }

  /// Flags `key_group` changed (a key group outside the range is ignored: the snapshot names
  /// a foreign key when it writes it).
  void mark(int key_group) {
    const auto i = static_cast<std::size_t>(static_cast<unsigned>(key_group - first_));
    if (i < flags_.size())
      flags_[i] = 1;
  }
  /// Flags the key group of the key whose key_hash is `hash` (key_group_for_hash). It runs per
  /// record: with a max parallelism that is a power of two (the default 128) a mask finds the
  /// key group, inline; otherwise a division does, out of line.
  void mark_hash(std::uint64_t hash) {
    if (mask_ != 0)
      mark(static_cast<int>(hash & mask_));
    else if (!flags_.empty())
      mark_divided(hash);
  }

  /// ORs the flags into `dirty` (one byte per key group of the range) and clears them.
  void take(std::vector<std::uint8_t>& dirty) {
    for (std::size_t g = 0; g < flags_.size(); ++g) {
      dirty[g] |= flags_[g];
      flags_[g] = 0;
    }
  }

private:
  __attribute__((noinline)) void mark_divided(std::uint64_t hash) {
    mark(key_group_for_hash(hash, max_parallelism_));
  }

  int first_ = 0;
  int max_parallelism_ = 1;
  /// max parallelism - 1 once tracking, if a power of two above 1; else 0
  std::uint64_t mask_ = 0;
  std::vector<std::uint8_t> flags_;
};

} // namespace sluice
