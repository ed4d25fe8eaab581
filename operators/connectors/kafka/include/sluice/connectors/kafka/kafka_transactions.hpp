#pragma once
// kafka_transactions: the transactions of the exactly-once Kafka sink, one transactional producer
// each (transactional.id = prefix-subtask-sequence, sequence = the checkpoint after which it
// began + 1), kept in a process-wide table from begin until commit or abort, so that a job
// restarted in the same process commits the pending transactions its checkpoint names.
//
// librdkafka cannot resume another process's transaction (Flink's KafkaSink sets the producer
// id and epoch by reflection; librdkafka has no such API): a transaction to commit that no
// producer of this process holds is settled by InitProducerId on its transactional.id, which
// aborts it if it was still open, and the loss is logged. This happens only when the process
// died after its checkpoint completed and before the commit.

#include "sluice/connectors/kafka/kafka_producer.hpp"
#include "sluice/state/serializer_fields.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sluice::kafka {

/// A transaction as the sink's operator state records it.
struct kafka_transaction {
  std::string transactional_id;
  std::int32_t subtask = 0;
  std::int64_t sequence = 0;
  SLUICE_FIELDS(transactional_id, subtask, sequence)
};

/// Called on each step of the protocol: "begin", "pre-commit", "commit", "abort", "fence"
/// (InitProducerId on a transactional.id no producer of this process holds), "lost" (a pending
/// transaction that could only be fenced).
using transaction_listener = std::function<void(std::string_view step, const std::string& id)>;

/// The transactional.id of `sequence` of `subtask`.
std::string transactional_id(const std::string& prefix, int subtask, std::int64_t sequence);

/// Begins transaction `txn` with a new producer (props + its transactional.id).
std::shared_ptr<kafka_producer> begin_transaction(const kafka_transaction& txn,
                                                  const properties& props, const std::string& who,
                                                  const transaction_listener& listener);
/// Flushes `txn` (every record acknowledged).
void pre_commit_transaction(const kafka_transaction& txn, const std::string& who,
                            const transaction_listener& listener);
/// Commits `txn`; idempotent (see the file comment when no producer holds it).
void commit_transaction(const kafka_transaction& txn, const properties& props,
                        const std::string& who, const transaction_listener& listener);
/// Aborts `txn`, or fences its transactional.id if no producer of this process holds it.
void abort_transaction(const kafka_transaction& txn, const properties& props,
                       const std::string& who, const transaction_listener& listener);
/// Fences (aborting what is open) the transactional.id of `txn`.
void fence_transaction(const kafka_transaction& txn, const properties& props,
                       const std::string& who, const transaction_listener& listener);

} // namespace sluice::kafka
