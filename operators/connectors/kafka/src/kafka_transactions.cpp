#include "sluice/connectors/kafka/kafka_transactions.hpp"

#include "sluice/operators/core/logging.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <set>

namespace sluice::kafka {
namespace {

constexpr int marker_read_timeout_ms = 30000;

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
  void mark_committed(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex);
    committed.insert(id);
  }
  bool was_committed(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex);
    return committed.count(id) > 0;
  }
};

open_transactions& table() {
  static open_transactions t;
  return t;
}

void tell(const transaction_settings& s, std::string_view step, const std::string& id) {
  log()->debug("kafka transaction {}: {}", id, step);
  if (s.listener)
    s.listener(step, id);
}

properties with_id(properties props, const std::string& id) {
  props["transactional.id"] = id;
  return props;
}

/// Fault injection for tests: with SLUICE_KAFKA_EXIT_BEFORE_COMMIT=N, the process exits at once
/// (_exit(86), no cleanup: as kill -9) right before committing the N-th transaction holding
/// records that it commits, i.e. after the checkpoint that pre-committed it completed.
void exit_if_asked_before_commit(const kafka_transaction& txn, const std::string& who) {
  static const long target = [] {
    const char* v = std::getenv("SLUICE_KAFKA_EXIT_BEFORE_COMMIT");
    return v ? std::atol(v) : 0L;
  }();
  static std::atomic<long> seen{0};
  if (target <= 0 || txn.records.empty() || ++seen != target)
    return;
  std::fprintf(stderr,
               "%s: SLUICE_KAFKA_EXIT_BEFORE_COMMIT=%ld: exiting before committing transaction "
               "%s (%zu records)\n",
               who.c_str(), target, txn.transactional_id.c_str(), txn.records.size());
  std::fflush(stderr);
  ::_exit(86);
}

void add_marker(kafka_producer& p, const kafka_transaction& txn, const transaction_settings& s) {
  p.send_offset_to_transaction(marker_group(s.prefix, txn.subtask), s.marker_topic, 0,
                               txn.sequence, txn.run);
}

/// Whether the marker of `txn` shows it committed (read after its id was fenced).
bool marker_shows_committed(const kafka_transaction& txn, const transaction_settings& s) {
  auto marker = committed_offset(s.props, marker_group(s.prefix, txn.subtask), s.marker_topic, 0,
                                 marker_read_timeout_ms, s.who);
  return marker && marker->metadata == txn.run && marker->offset >= txn.sequence;
}

} // namespace

std::string transactional_id(const std::string& prefix, int subtask, std::int64_t sequence) {
  return prefix + "-" + std::to_string(subtask) + "-" + std::to_string(sequence);
}

std::string marker_group(const std::string& prefix, int subtask) {
  return prefix + "-" + std::to_string(subtask) + "-committed";
}

std::string new_run_name() {
  std::random_device device;
  std::mt19937_64 random((static_cast<std::uint64_t>(device()) << 32) ^ device() ^
                         static_cast<std::uint64_t>(
                             std::chrono::system_clock::now().time_since_epoch().count()));
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(random()));
  return text;
}

std::shared_ptr<kafka_producer> begin_transaction(const kafka_transaction& txn,
                                                  const transaction_settings& s) {
  auto producer = std::make_shared<kafka_producer>(with_id(s.props, txn.transactional_id), s.who);
  producer->init_transactions();
  producer->begin_transaction();
  table().put(txn.transactional_id, producer);
  tell(s, "begin", txn.transactional_id);
  return producer;
}

void pre_commit_transaction(const kafka_transaction& txn, const transaction_settings& s) {
  auto producer = table().find(txn.transactional_id);
  if (!producer)
    throw kafka_error(s.who + ": transaction " + txn.transactional_id + " has no producer");
  add_marker(*producer, txn, s);
  producer->flush();
  tell(s, "pre-commit", txn.transactional_id);
}

void commit_transaction(const kafka_transaction& txn, const transaction_settings& s) {
  if (auto producer = table().take(txn.transactional_id)) {
    exit_if_asked_before_commit(txn, s.who);
    producer->commit_transaction();
    table().mark_committed(txn.transactional_id);
    tell(s, "commit", txn.transactional_id);
    return;
  }
  if (table().was_committed(txn.transactional_id))
    return;
  // Pre-committed by a process that no longer runs: see the file comment.
  kafka_producer producer(with_id(s.props, txn.transactional_id), s.who);
  producer.init_transactions();
  tell(s, "fence", txn.transactional_id);
  if (marker_shows_committed(txn, s)) {
    tell(s, "found-committed", txn.transactional_id);
    return;
  }
  producer.begin_transaction();
  for (const auto& m : txn.records)
    producer.produce(m);
  add_marker(producer, txn, s);
  producer.commit_transaction();
  table().mark_committed(txn.transactional_id);
  log()->info("{}: transaction {} was pre-committed by a process that died before committing it: "
              "its {} records were sent again and committed",
              s.who, txn.transactional_id, txn.records.size());
  tell(s, "resend", txn.transactional_id);
}

void abort_transaction(const kafka_transaction& txn, const transaction_settings& s) {
  if (auto producer = table().take(txn.transactional_id)) {
    producer->abort_transaction();
    tell(s, "abort", txn.transactional_id);
    return;
  }
  fence_transaction(txn, s);
}

void fence_transaction(const kafka_transaction& txn, const transaction_settings& s) {
  table().take(txn.transactional_id);
  kafka_producer fencer(with_id(s.props, txn.transactional_id), s.who);
  fencer.init_transactions();
  tell(s, "fence", txn.transactional_id);
}

} // namespace sluice::kafka
