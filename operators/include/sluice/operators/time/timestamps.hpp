#pragma once
// Record timestamps and processing time, as operators see them.
//
// Every subtask has one timestamp_slot shared by its chain: it holds the timestamp of the
// record being processed (no_timestamp if the stream has none). A record an operator emits
// carries the slot's current value, so map, filter and the like keep their input's timestamp
// without doing anything; an operator that emits with another timestamp (a window: its
// max_timestamp; a timer: the timer's time) sets the slot before emitting.

#include <cstdint>
#include <limits>
#include <vector>

namespace sluice {

/// The timestamp of a record that has none.
inline constexpr std::int64_t no_timestamp = std::numeric_limits<std::int64_t>::min();

struct timestamp_slot {
  std::int64_t value = no_timestamp;
};

/// Sets a timestamp slot for the lifetime of the guard (window results carry the window's
/// max_timestamp, the records after them their own).
class slot_override {
public:
  slot_override(timestamp_slot* slot, std::int64_t value)
      : slot_(slot), saved_(slot ? slot->value : no_timestamp) {
    if (slot_) {
      slot_->value = value;
    }
  }
  ~slot_override() {
    if (slot_) {
      slot_->value = saved_;
    }
  }
  slot_override(const slot_override&) = delete;
  slot_override& operator=(const slot_override&) = delete;

private:
  timestamp_slot* slot_;
  std::int64_t saved_;
};

/// Which split of a source the record being processed comes from, for sources that read
/// several splits (files, partitions) and set it; watermarks are then tracked per split.
struct split_slot {
  static constexpr std::int64_t none = -1;
  std::int64_t current = none;
  std::vector<std::int64_t> finished; ///< splits read to the end, not yet taken into account
  /// Splits assigned to the subtask, not yet taken into account: from then on each holds the
  /// watermark back until it emits one or goes idle (Flink's per-split outputs, created at
  /// assignment). A source that reads its splits concurrently (Kafka partitions) adds them;
  /// one that reads them one after another (files) does not.
  std::vector<std::int64_t> assigned;
};

/// The subtask's processing-time clock and wake-ups (implemented by the runtime).
class processing_time_service {
public:
  virtual ~processing_time_service() = default;
  /// Milliseconds since the epoch.
  virtual std::int64_t now_ms() const = 0;
  /// Calls stream_operator::on_processing_time(>= time_ms) once the clock is past `time_ms`.
  virtual void wake_at(std::int64_t time_ms) = 0;
};

} // namespace sluice
