#pragma once
// kafka_partition_reader: the partitions (splits) one subtask of a Kafka source reads, their
// offsets in operator state, and non-blocking polls. kafka_source<T> adds deserialization.
//
// Assignment (as Flink's KafkaSourceEnumerator): partition p of topic t belongs to subtask
// ((hash(t) * 31 & 0x7fffffff) % n + p) % n, hash being Java's String.hashCode, so every subtask
// computes the same owners without talking to the others. Each subtask stores its splits (topic,
// partition, next offset, end offset) in union list state; after a restore at any parallelism,
// each subtask takes the restored splits the formula gives it, so 2 -> 3 and 3 -> 2 read every
// record after the checkpoint exactly once. Partitions that no restored split names, and
// partitions that appear later (discovered every partition.discovery.interval.ms), start at
// their earliest offset in their owner.
//
// poll never waits: it takes what librdkafka's fetcher has already queued (rd_kafka_consumer_poll
// with timeout 0) and reports idle when nothing is there, so barriers and cancellation reach the
// subtask between polls. Only open() and partition discovery (a metadata request of at most
// discovery_timeout_ms) wait on the network.

#include "sluice/connectors/kafka/kafka_client.hpp"
#include "sluice/connectors/kafka/kafka_offsets.hpp"
#include "sluice/connectors/kafka/kafka_record.hpp"
#include "sluice/operators/core/runtime_context.hpp"
#include "sluice/operators/sources/source.hpp"
#include "sluice/state/serializer_fields.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace sluice::kafka {

/// What a Kafka source reads, set by kafka_source<T>'s builder.
struct kafka_source_config {
  properties props;                ///< passed to librdkafka (bootstrap.servers, group.id, ...)
  std::vector<std::string> topics; ///< or topic_pattern
  std::string topic_pattern;       ///< ECMAScript regex matching whole topic names
  start_offsets start;
  stop_offsets stop;
  std::int64_t discovery_interval_ms = 30000; ///< 0: off (always off in bounded mode)
  int metadata_timeout_ms = 10000;            ///< open(): metadata and offset look-ups
  int discovery_timeout_ms = 1000;            ///< a periodic discovery's metadata request
};

/// A partition as the source's operator state records it.
struct kafka_split {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0; ///< the next offset to read
  std::int64_t stop = -1;  ///< bounded: the end (exclusive); -1: none
  SLUICE_FIELDS(topic, partition, offset, stop)

  bool finished() const { return stop >= 0 && offset >= stop; }
};

class kafka_partition_reader {
public:
  kafka_partition_reader(std::shared_ptr<const kafka_source_config> config, std::string name);
  ~kafka_partition_reader();
  kafka_partition_reader(const kafka_partition_reader&) = delete;
  kafka_partition_reader& operator=(const kafka_partition_reader&) = delete;

  /// Connects, takes the subtask's splits (restored or by the formula) and assigns them.
  /// Throws kafka_error if the cluster does not answer or a listed topic does not exist.
  void open(const runtime_context& ctx);
  /// Hands at most max_records records to emit, setting ctx.split and ctx.element_time first.
  source_status poll(std::size_t max_records, const std::function<void(const kafka_record&)>& emit);
  /// Stores every split (read to the end or not) in the operator state.
  void snapshot(std::int64_t checkpoint_id);
  /// Commits the offsets of checkpoint `checkpoint_id` to the group (if group.id was given).
  void checkpoint_complete(std::int64_t checkpoint_id);
  void close();

  const std::vector<kafka_split>& splits() const { return splits_; }
  /// Records not read yet, summed over its partitions (Flink's pendingRecords): a bounded split
  /// up to its stop offset, an unbounded one up to the end offset librdkafka last fetched (no
  /// request). -1 if the end of an unbounded partition is not known yet.
  std::int64_t pending_records() const;
  /// Bytes of the keys and values of the records it read since open().
  std::int64_t bytes_read() const { return bytes_read_; }
  /// The subtask of `parallelism` that reads `partition` of `topic`.
  static int owner(const std::string& topic, std::int32_t partition, int parallelism);
  /// The split's id in the split slot (per-partition watermarks): stable across restores.
  static std::int64_t split_id(const std::string& topic, std::int32_t partition);

private:
  std::map<std::string, int> matching_topics(int timeout_ms);
  void start_fresh(const std::map<std::string, int>& topics);
  /// Appends splits for the partitions of `topics` not known yet that this subtask owns,
  /// starting at their earliest offsets; returns them.
  std::vector<kafka_split> add_discovered(const std::map<std::string, int>& topics);
  void resolve_start_offsets(std::vector<kafka_split>& fresh);
  void assign(const std::vector<kafka_split>& splits);
  void discover_if_due();
  void finish_split(std::size_t index);
  [[noreturn]] void fail(const std::string& what) const;

  std::shared_ptr<const kafka_source_config> config_;
  std::string name_;
  runtime_context ctx_;
  handle_ptr consumer_;
  list_state<kafka_split>* state_ = nullptr;
  std::vector<kafka_split> splits_;
  std::map<topic_partition, std::size_t> index_; ///< split of each partition this subtask reads
  std::set<topic_partition> known_;              ///< every partition seen, whoever reads it
  std::map<std::int64_t, std::vector<kafka_split>> to_commit_; ///< by checkpoint
  std::size_t open_splits_ = 0;
  std::int64_t bytes_read_ = 0;
  std::chrono::steady_clock::time_point next_discovery_;
  bool group_given_ = false;
};

} // namespace sluice::kafka
