#pragma once
// Where a Kafka source starts and (in bounded mode) stops reading each partition.

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace sluice::kafka {

/// A partition of a topic.
struct topic_partition {
  std::string topic;
  std::int32_t partition = 0;
  bool operator<(const topic_partition& o) const {
    return topic != o.topic ? topic < o.topic : partition < o.partition;
  }
};

/// The first offset read of each partition, resolved to a number when the job starts (Flink's
/// OffsetsInitializer). Partitions discovered later start at their earliest offset.
struct start_offsets {
  enum class mode { earliest, latest, committed, specific };
  mode from = mode::earliest;
  /// committed: where partitions without a committed offset start; specific: where the
  /// partitions not listed start (earliest or latest).
  mode fallback = mode::earliest;
  std::map<topic_partition, std::int64_t> offsets; ///< specific

  static start_offsets earliest() { return {}; }
  static start_offsets latest() { return {mode::latest, mode::earliest, {}}; }
  /// The group's committed offsets (group.id), else `fallback` (earliest or latest).
  static start_offsets committed(mode fallback = mode::earliest) {
    return {mode::committed, fallback, {}};
  }
  /// Given offsets per partition; the others start at `fallback` (earliest or latest).
  static start_offsets at(std::map<topic_partition, std::int64_t> offsets,
                          mode fallback = mode::earliest) {
    return {mode::specific, fallback, std::move(offsets)};
  }
};

/// Bounded mode: where each partition ends (exclusive), fixed when the job starts.
struct stop_offsets {
  bool bounded = false;
  /// Given end offsets; partitions not listed end at their latest offset at start.
  std::map<topic_partition, std::int64_t> offsets;

  static stop_offsets none() { return {}; }
  /// The offsets after the last records present when the job starts.
  static stop_offsets latest() { return {true, {}}; }
  static stop_offsets at(std::map<topic_partition, std::int64_t> offsets) {
    return {true, std::move(offsets)};
  }
};

} // namespace sluice::kafka
