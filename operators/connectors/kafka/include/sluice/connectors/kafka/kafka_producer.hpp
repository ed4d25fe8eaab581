#pragma once
// kafka_producer: a librdkafka producer that remembers the first failed delivery, optionally
// transactional (a transactional.id in its properties).

#include "sluice/connectors/kafka/kafka_client.hpp"
#include "sluice/state/serializer_fields.hpp"
#include "sluice/state/serializer_std.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::kafka {

/// A record to produce.
struct kafka_message {
  std::string topic; ///< empty: the sink's default topic
  std::optional<std::string> key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::int32_t> partition; ///< none: the sink's partitioner decides
  SLUICE_FIELDS(topic, key, value, headers, partition)
};

class kafka_producer {
public:
  /// `who` names the user in errors ("kafka_sink 'counts (1/2)'").
  kafka_producer(const properties& props, std::string who);
  kafka_producer(const kafka_producer&) = delete;
  kafka_producer& operator=(const kafka_producer&) = delete;

  /// Queues `m` (waiting while librdkafka's queue is full). Throws kafka_error if a delivery
  /// failed before, or the record is refused at once (e.g. larger than message.max.bytes).
  void produce(const kafka_message& m);
  /// Waits until every queued record is acknowledged; throws kafka_error naming the topic and
  /// partition of the first that failed (after librdkafka's retries).
  void flush();
  /// The number of partitions of `topic` (a metadata request, then cached).
  std::int32_t partition_count(const std::string& topic);

  /// Transactional producers: fences older producers of the same transactional.id (aborting
  /// their open transaction), then begins, commits or aborts one.
  void init_transactions();
  void begin_transaction();
  void commit_transaction();
  void abort_transaction();
  /// Commits offset `offset` (with `metadata`) of `topic` partition `partition` for consumer
  /// group `group` as part of the open transaction (AddOffsetsToTxn + TxnOffsetCommit): visible
  /// only if the transaction commits.
  void send_offset_to_transaction(const std::string& group, const std::string& topic,
                                  std::int32_t partition, std::int64_t offset,
                                  const std::string& metadata);

  rd_kafka_t* handle() const { return rk_.get(); }

private:
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque);
  void throw_if_failed();
  [[noreturn]] void fail_with(rd_kafka_error_t* error, const std::string& what);

  std::string who_;
  handle_ptr rk_;
  std::mutex mutex_;
  std::optional<std::string> failure_; ///< the first failed delivery
  std::map<std::string, std::int32_t> partitions_;
};

} // namespace sluice::kafka
