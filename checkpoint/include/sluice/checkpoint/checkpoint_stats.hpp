#pragma once
// Statistics of checkpoints (Flink's checkpoint history): per checkpoint its trigger time,
// end-to-end duration, state size and, per acknowledging subtask, alignment time and start
// delay; a one-line summary for logs; the last N kept.

#include "sluice/checkpoint/checkpoint_metadata.hpp"
#include "sluice/checkpoint/subtask_id.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace sluice {

/// What a subtask measured about its part of a checkpoint.
struct subtask_ack_stats {
  std::int64_t alignment_ms = 0;     ///< first barrier to snapshot (0 for sources)
  std::int64_t start_delay_ms = 0;   ///< trigger to the first barrier's arrival
  std::uint64_t in_flight_bytes = 0; ///< in-flight data persisted (unaligned checkpoints)
};

struct subtask_checkpoint_stats {
  subtask_id task;
  std::int64_t ack_ms = 0;       ///< trigger to acknowledgement
  std::uint64_t state_bytes = 0; ///< state files and in-flight data
  subtask_ack_stats measured;
  /// Of state_bytes, what this checkpoint wrote (less with incremental checkpoints).
  std::uint64_t written_bytes = 0;
};

enum class checkpoint_status { in_progress, completed, failed };

struct checkpoint_stats {
  std::int64_t checkpoint_id = 0;
  snapshot_kind kind = snapshot_kind::checkpoint;
  checkpoint_status status = checkpoint_status::in_progress;
  std::int64_t trigger_ms = 0;
  std::optional<std::int64_t> end_ms; ///< completion or failure
  std::size_t expected_acks = 0;
  std::vector<subtask_checkpoint_stats> acks; ///< in acknowledgement order
  std::string failure;                        ///< why it failed

  /// Trigger to end (or to `now_ms` while in progress).
  std::int64_t duration_ms(std::int64_t now_ms) const {
    return end_ms.value_or(now_ms) - trigger_ms;
  }
  /// Sum over the acknowledgements: the full state size.
  std::uint64_t state_bytes() const;
  /// Sum over the acknowledgements: the bytes this checkpoint wrote.
  std::uint64_t written_bytes() const;
  std::int64_t max_alignment_ms() const;
  std::int64_t max_start_delay_ms() const;
  /// One line, e.g. "checkpoint 7 completed in 153 ms: 4/4 subtasks, 40960 bytes, alignment max
  /// 12 ms, start delay max 3 ms" (durations to `now_ms` while in progress), followed by
  /// ", 2048 bytes written" when the checkpoint wrote less than its state size.
  std::string to_string(std::int64_t now_ms) const;
};

/// The statistics of the last `capacity` finished checkpoints, oldest first.
class checkpoint_stats_history {
public:
  explicit checkpoint_stats_history(std::size_t capacity) : capacity_(capacity) {}

  void add(checkpoint_stats stats);
  const std::deque<checkpoint_stats>& entries() const { return entries_; }
  /// The entry of `checkpoint_id`, if still kept.
  const checkpoint_stats* find(std::int64_t checkpoint_id) const;

private:
  std::size_t capacity_;
  std::deque<checkpoint_stats> entries_;
};

} // namespace sluice
