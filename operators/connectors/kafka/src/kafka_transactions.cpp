#include "sluice/connectors/kafka/kafka_transactions.hpp"

#include "sluice/operators/logging.hpp"

#include <map>
#include <mutex>
#include <set>

namespace sluice::kafka {
namespace {

/// Producers of open and pre-committed transactions, by transactional.id.
struct open_transactions {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<kafka_producer>> producers;
  std::set<std::string> committed; ///< by this process: committing again is a no-op

  void put(const std::string& id, std::shared_ptr<kafka_producer> p) {
    std::lock_guard<std::mutex> lock(mutex);
    producers[id] = std::move(p);
  }
  std::shared_ptr<kafka_producer> find(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = producers.find(id);
    return it == producers.end() ? nullptr : it->second;
  }
  std::shared_ptr<kafka_producer> take(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = producers.find(id);
    if (it == producers.end())
      return nullptr;
    auto p = std::move(it->second);
    producers.erase(it);
    return p;
  }
};

open_transactions& table() {
  static open_transactions t;
  return t;
}

void tell(const transaction_listener& listener, std::string_view step, const std::string& id) {
  log()->debug("kafka transaction {}: {}", id, step);
  if (listener)
    listener(step, id);
}

properties with_id(properties props, const std::string& id) {
  props["transactional.id"] = id;
  return props;
}

} // namespace

std::string transactional_id(const std::string& prefix, int subtask, std::int64_t sequence) {
  return prefix + "-" + std::to_string(subtask) + "-" + std::to_string(sequence);
}

std::shared_ptr<kafka_producer> begin_transaction(const kafka_transaction& txn,
                                                  const properties& props, const std::string& who,
                                                  const transaction_listener& listener) {
  auto producer = std::make_shared<kafka_producer>(with_id(props, txn.transactional_id), who);
  producer->init_transactions();
  producer->begin_transaction();
  table().put(txn.transactional_id, producer);
  tell(listener, "begin", txn.transactional_id);
  return producer;
}

void pre_commit_transaction(const kafka_transaction& txn, const std::string& who,
                            const transaction_listener& listener) {
  auto producer = table().find(txn.transactional_id);
  if (!producer)
    throw kafka_error(who + ": transaction " + txn.transactional_id + " has no producer");
  producer->flush();
  tell(listener, "pre-commit", txn.transactional_id);
}

void commit_transaction(const kafka_transaction& txn, const properties& props,
                        const std::string& who, const transaction_listener& listener) {
  if (auto producer = table().take(txn.transactional_id)) {
    producer->commit_transaction();
    std::lock_guard<std::mutex> lock(table().mutex);
    table().committed.insert(txn.transactional_id);
    tell(listener, "commit", txn.transactional_id);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(table().mutex);
    if (table().committed.count(txn.transactional_id))
      return;
  }
  // Committed before the failure, or open in a process that died: see the file comment.
  fence_transaction(txn, props, who, listener);
  log()->warn("{}: transaction {} was pre-committed by a process that no longer runs; librdkafka "
              "cannot resume it, so it was fenced: if that process died before committing it, "
              "its records are lost",
              who, txn.transactional_id);
  tell(listener, "lost", txn.transactional_id);
}

void abort_transaction(const kafka_transaction& txn, const properties& props,
                       const std::string& who, const transaction_listener& listener) {
  if (auto producer = table().take(txn.transactional_id)) {
    producer->abort_transaction();
    tell(listener, "abort", txn.transactional_id);
    return;
  }
  fence_transaction(txn, props, who, listener);
}

void fence_transaction(const kafka_transaction& txn, const properties& props,
                       const std::string& who, const transaction_listener& listener) {
  table().take(txn.transactional_id);
  kafka_producer fencer(with_id(props, txn.transactional_id), who);
  fencer.init_transactions();
  tell(listener, "fence", txn.transactional_id);
}

} // namespace sluice::kafka
