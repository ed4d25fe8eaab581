#pragma once
// kafka_sink<T>: writes records to Kafka (Flink's KafkaSink).
//
//   auto out = kafka::kafka_sink<std::pair<std::string, std::int64_t>>{}
//                  .set_bootstrap_servers(servers)
//                  .set_topic("counts")
//                  .set_serializer([](const auto& wc) {
//                    kafka::kafka_message m;
//                    m.key = wc.first;
//                    m.value = wc.first + "," + std::to_string(wc.second);
//                    return m;
//                  })
//                  .set_delivery(kafka::delivery_guarantee::exactly_once);
//   out.validate(env.config()); // checks the transaction timeout against the interval
//
// Delivery guarantees:
// - none: records are handed to librdkafka; only the end of input waits for them.
// - at_least_once: each checkpoint waits until every record written before it is acknowledged
//   (a failed delivery fails the checkpoint and the job), so a restore replays at most
//   duplicates.
// - exactly_once: a two_phase_commit_sink whose transactions are Kafka transactions (see
//   kafka_transactions.hpp): pre-commit adds a commit marker and flushes at the checkpoint,
//   commit when it completes; each transaction's records are kept in the checkpoint until it
//   commits. After a restore the pending ones are committed (sent again from the checkpoint if
//   their process died before committing them), the open ones aborted, and the
//   transactional.ids the failed attempt may have used after the checkpoint (lingering_probe of
//   them per old subtask) fenced.
// The default partitioner is Kafka's (murmur2 of the key, librdkafka's murmur2_random).

#include "sluice/connectors/kafka/kafka_producer.hpp"
#include "sluice/connectors/kafka/kafka_transactions.hpp"
#include "sluice/operators/api/job_config.hpp"
#include "sluice/operators/sinks/sink.hpp"
#include "sluice/operators/sinks/two_phase_commit_sink.hpp"

#include <algorithm>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace sluice::kafka {

enum class delivery_guarantee { none, at_least_once, exactly_once };

/// "none", "at-least-once", "exactly-once"; throws std::invalid_argument otherwise.
delivery_guarantee parse_delivery_guarantee(const std::string& text);

/// What a Kafka sink writes to and how, set by kafka_sink<T>'s builder.
struct kafka_sink_config {
  properties props;
  std::string topic; ///< for messages that name none
  delivery_guarantee delivery = delivery_guarantee::at_least_once;
  std::string transactional_id_prefix = "sluice";
  int lingering_probe = 2;
  transaction_listener listener;

  /// The producer properties (default partitioner murmur2_random, Kafka's key hash).
  properties producer_properties() const;
  /// Throws config_error if exactly-once is asked for with checkpoints and a
  /// transaction.timeout.ms not above --checkpoint-interval-ms (transactions would time out
  /// before they commit), or without a transactional id prefix. (Without checkpoints an
  /// exactly-once sink commits at the end of input.) The sink checks it when it opens; call it
  /// before execute() to fail before the job starts.
  void validate(const job_config& job) const;
  /// The same with the interval (0: checkpointing off).
  void validate(std::int64_t checkpoint_interval_ms) const;
};

namespace detail {

/// What both sink kinds share: the serializer and partitioner of records.
template <class T>
struct kafka_sink_parts {
  std::shared_ptr<const kafka_sink_config> config;
  std::function<kafka_message(const T&)> serialize;
  std::function<std::int32_t(const kafka_message&, std::int32_t)> partition;

  /// Produces `value` and returns the message produced (topic and custom partition resolved).
  kafka_message write(kafka_producer& p, const T& value) const {
    kafka_message m = serialize(value);
    if (m.topic.empty())
      m.topic = config->topic;
    if (partition && !m.partition)
      m.partition = partition(m, p.partition_count(m.topic));
    p.produce(m);
    return m;
  }
};

/// Delivery none or at-least-once: one producer per subtask.
template <class T>
class kafka_plain_sink final : public copyable_sink<kafka_plain_sink<T>, T> {
public:
  explicit kafka_plain_sink(kafka_sink_parts<T> parts) : parts_(std::move(parts)) {}
  kafka_plain_sink(const kafka_plain_sink& o) : parts_(o.parts_) {}

  void open(const runtime_context& ctx) override {
    producer_ = std::make_shared<kafka_producer>(parts_.config->producer_properties(),
                                                 "kafka_sink '" + ctx.task_name() + "'");
  }
  void write(T&& value) override { parts_.write(*producer_, value); }
  void write(const T& value) override { parts_.write(*producer_, value); }
  void finish() override { producer_->flush(); }
  void snapshot_state(std::int64_t) override {
    if (parts_.config->delivery == delivery_guarantee::at_least_once)
      producer_->flush();
  }
  void close() override { producer_.reset(); }

private:
  kafka_sink_parts<T> parts_;
  std::shared_ptr<kafka_producer> producer_;
};

/// Exactly-once: Kafka transactions through two_phase_commit_sink.
template <class T>
class kafka_transactional_sink final : public two_phase_commit_sink<T, kafka_transaction> {
  using base = two_phase_commit_sink<T, kafka_transaction>;

public:
  explicit kafka_transactional_sink(kafka_sink_parts<T> parts) : parts_(std::move(parts)) {}
  kafka_transactional_sink(const kafka_transactional_sink& o) : base(), parts_(o.parts_) {}

  void open(const runtime_context& ctx) override {
    const auto& config = *parts_.config;
    settings_ = {config.producer_properties(), config.transactional_id_prefix, config.topic,
                 "kafka_sink '" + ctx.task_name() + "'", config.listener};
    if (settings_.marker_topic.empty())
      throw kafka_error(settings_.who + ": exactly-once needs a topic (set_topic): its commit "
                                        "markers are stored on the topic's partition 0");
    last_checkpoint_ = 0;
    last_sequence_ = 0;
    run_ = new_run_name(); // a restore takes the restored one (finish_recovery)
    base::open(ctx);
  }
  void snapshot_state(std::int64_t checkpoint_id) override {
    last_checkpoint_ = checkpoint_id;
    base::snapshot_state(checkpoint_id);
  }
  std::unique_ptr<sink<T>> clone() const override {
    return std::make_unique<kafka_transactional_sink>(*this);
  }

protected:
  kafka_transaction begin_transaction() override {
    const int subtask = this->context().subtask_index;
    const auto seq = std::max(last_sequence_, last_checkpoint_) + 1;
    last_sequence_ = seq;
    kafka_transaction txn{transactional_id(settings_.prefix, subtask, seq), subtask, seq, run_,
                          {}};
    producer_ = kafka::begin_transaction(txn, settings_);
    return txn;
  }
  void invoke(kafka_transaction& txn, T&& value) override {
    txn.records.push_back(parts_.write(*producer_, value));
  }
  void pre_commit(kafka_transaction& txn) override { kafka::pre_commit_transaction(txn, settings_); }
  void commit(const kafka_transaction& txn) override { kafka::commit_transaction(txn, settings_); }
  void abort(const kafka_transaction& txn) override { kafka::abort_transaction(txn, settings_); }
  /// Fences the transactional.ids after the restored checkpoint that this subtask's share of
  /// the old subtasks may have used, and names the next transaction after the checkpoint.
  void finish_recovery(const std::vector<kafka_transaction>& recorded) override {
    const auto& ctx = this->context();
    std::set<std::int32_t> old_subtasks;
    std::int64_t restored = 0;
    std::string restored_run;
    for (const auto& t : recorded) {
      old_subtasks.insert(t.subtask);
      restored = std::max(restored, t.sequence);
      restored_run = std::max(restored_run, t.run);
    }
    if (!restored_run.empty())
      run_ = restored_run;
    for (auto s : old_subtasks) {
      if (s % ctx.parallelism != ctx.subtask_index)
        continue;
      for (int k = 1; k <= parts_.config->lingering_probe; ++k) {
        const auto seq = restored + k;
        kafka::fence_transaction({transactional_id(settings_.prefix, s, seq), s, seq, run_, {}},
                                 settings_);
      }
    }
    last_sequence_ = restored;
  }

private:
  kafka_sink_parts<T> parts_;
  transaction_settings settings_;
  std::string run_; ///< see kafka_transaction::run
  std::int64_t last_checkpoint_ = 0; ///< the last checkpoint taken
  /// Sequences strictly increase: the transaction begun after checkpoint C is named
  /// max(previous + 1, C + 1), so names never repeat, also when checkpoint ids restart at the
  /// restored id + 1 in a new process.
  std::int64_t last_sequence_ = 0;
  std::shared_ptr<kafka_producer> producer_;
};

} // namespace detail

template <class T>
class kafka_sink final : public sink<T> {
public:
  using serializer = std::function<kafka_message(const T&)>;
  /// (message, partition count of its topic) -> partition.
  using partitioner = std::function<std::int32_t(const kafka_message&, std::int32_t)>;

  kafka_sink() = default;
  /// A copy is configured alike and not open.
  kafka_sink(const kafka_sink& o) : config_(o.config_), serialize_(o.serialize_),
                                    partition_(o.partition_) {}

  kafka_sink& set_bootstrap_servers(std::string servers) {
    return set_property("bootstrap.servers", std::move(servers));
  }
  /// The topic of messages whose serializer names none.
  kafka_sink& set_topic(std::string topic) {
    config_->topic = std::move(topic);
    return *this;
  }
  kafka_sink& set_serializer(serializer f) {
    serialize_ = std::move(f);
    return *this;
  }
  kafka_sink& set_partitioner(partitioner f) {
    partition_ = std::move(f);
    return *this;
  }
  kafka_sink& set_delivery(delivery_guarantee d) {
    config_->delivery = d;
    return *this;
  }
  kafka_sink& set_transactional_id_prefix(std::string prefix) {
    config_->transactional_id_prefix = std::move(prefix);
    return *this;
  }
  /// Exactly-once: transactional.ids after the restored checkpoint fenced per old subtask.
  kafka_sink& set_lingering_probe(int count) {
    config_->lingering_probe = count;
    return *this;
  }
  kafka_sink& set_transaction_listener(transaction_listener f) {
    config_->listener = std::move(f);
    return *this;
  }
  /// Any librdkafka producer property (transaction.timeout.ms, linger.ms, acks, ...).
  kafka_sink& set_property(const std::string& key, std::string value) {
    config_->props[key] = std::move(value);
    return *this;
  }
  /// See kafka_sink_config::validate.
  void validate(const job_config& job) const { config_->validate(job); }
  const kafka_sink_config& config() const { return *config_; }

  void open(const runtime_context& ctx) override {
    if (!serialize_)
      throw kafka_error("kafka_sink '" + ctx.task_name() + "': no serializer (set_serializer)");
    config_->validate(ctx.checkpoint_interval_ms);
    detail::kafka_sink_parts<T> parts{config_, serialize_, partition_};
    if (config_->delivery == delivery_guarantee::exactly_once)
      impl_ = std::make_unique<detail::kafka_transactional_sink<T>>(std::move(parts));
    else
      impl_ = std::make_unique<detail::kafka_plain_sink<T>>(std::move(parts));
    impl_->open(ctx);
  }
  void write(T&& value) override { impl_->write(std::move(value)); }
  void write(const T& value) override { impl_->write(value); }
  void finish() override { impl_->finish(); }
  void close() override {
    if (impl_)
      impl_->close();
  }
  std::unique_ptr<sink<T>> clone() const override { return std::make_unique<kafka_sink>(*this); }
  void snapshot_state(std::int64_t id) override { impl_->snapshot_state(id); }
  void notify_checkpoint_complete(std::int64_t id) override {
    impl_->notify_checkpoint_complete(id);
  }
  void notify_checkpoint_aborted(std::int64_t id) override { impl_->notify_checkpoint_aborted(id); }

private:
  std::shared_ptr<kafka_sink_config> config_ = std::make_shared<kafka_sink_config>();
  serializer serialize_;
  partitioner partition_;
  std::unique_ptr<sink<T>> impl_;
};

} // namespace sluice::kafka
