#pragma once
// kafka_transactions: the transactions of the exactly-once Kafka sink, one transactional producer
// each (transactional.id = prefix-subtask-sequence, sequence = the checkpoint after which it
// began + 1), kept in a process-wide table from begin until commit or abort, so that a job
// restarted in the same process commits the pending transactions its checkpoint names.
//
// A process that died (kill -9) after a checkpoint completed and before its commit leaves a
// transaction that librdkafka cannot resume (Flink's KafkaSink sets the producer id and epoch
// by reflection; librdkafka has no such API). So each transaction carries:
// - a write-ahead of its records (kafka_transaction::records, in the checkpointed state, bounded
//   by one checkpoint interval), and
// - a commit marker committed atomically with its records: the offset `sequence` (metadata: the
//   run) of partition 0 of the sink's topic for the consumer group marker_group(prefix, subtask)
//   (AddOffsetsToTxn + TxnOffsetCommit), visible only if the transaction commits.
// A restored job that must commit a transaction no producer of its process holds fences its
// transactional.id (InitProducerId: the broker aborts it if it was still open, or completes a
// commit already asked for), then reads the marker group's committed offset: the same
// run and at least `sequence` means it committed; otherwise the records are sent again, with the marker, in a new
// transaction of the same transactional.id, committed before anything newer.

#include "sluice/connectors/kafka/kafka_producer.hpp"
#include "sluice/state/serializer_fields.hpp"
#include "sluice/state/serializer_std.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::kafka {

/// A transaction as the sink's operator state records it.
struct kafka_transaction {
  std::string transactional_id;
  std::int32_t subtask = 0;
  std::int64_t sequence = 0;
  /// Names the sink's run (random at a fresh start, kept through restores): the commit
  /// marker's metadata, so that markers a former run with the same prefix left are not taken
  /// for this run's.
  std::string run;
  /// Write-ahead: the records written into it (topic and partition resolved), kept until it
  /// commits, to be sent again if its process died before the commit.
  std::vector<kafka_message> records;
  SLUICE_FIELDS(transactional_id, subtask, sequence, run, records)
};

/// Called on each step of the protocol: "begin", "pre-commit", "commit", "abort", "fence"
/// (InitProducerId on a transactional.id no producer of this process holds), "found-committed"
/// (a pending transaction of a process that no longer runs, whose marker shows it committed),
/// "resend" (one whose marker shows it did not: its records sent again and committed).
using transaction_listener = std::function<void(std::string_view step, const std::string& id)>;

/// What every transaction of a sink subtask shares.
struct transaction_settings {
  properties props;         ///< producer properties, without transactional.id
  std::string prefix;       ///< of transactional.ids and marker groups
  std::string marker_topic; ///< markers are offsets of its partition 0
  std::string who;          ///< names the sink subtask in errors
  transaction_listener listener;
};

/// The transactional.id of `sequence` of `subtask`.
std::string transactional_id(const std::string& prefix, int subtask, std::int64_t sequence);
/// The consumer group whose committed offset marks the last committed sequence of `subtask`.
std::string marker_group(const std::string& prefix, int subtask);
/// A new run name (random), for a sink starting without restored transactions.
std::string new_run_name();

/// Begins transaction `txn` with a new producer (props + its transactional.id).
std::shared_ptr<kafka_producer> begin_transaction(const kafka_transaction& txn,
                                                  const transaction_settings& s);
/// Adds the commit marker to `txn` and flushes it (every record acknowledged).
void pre_commit_transaction(const kafka_transaction& txn, const transaction_settings& s);
/// Commits `txn`; idempotent. Without a producer of this process holding it: see the file
/// comment.
void commit_transaction(const kafka_transaction& txn, const transaction_settings& s);
/// Aborts `txn`, or fences its transactional.id if no producer of this process holds it.
void abort_transaction(const kafka_transaction& txn, const transaction_settings& s);
/// Fences (aborting what is open) the transactional.id of `txn`.
void fence_transaction(const kafka_transaction& txn, const transaction_settings& s);

} // namespace sluice::kafka
