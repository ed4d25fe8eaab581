#include "sluice/connectors/kafka/kafka_producer.hpp"

#include <cstring>

namespace sluice::kafka {
namespace {
constexpr int transaction_timeout_ms = 60000; ///< librdkafka calls of the transaction protocol
}

kafka_producer::kafka_producer(const properties& props, std::string who)
    : who_(std::move(who)),
      rk_(make_handle(RD_KAFKA_PRODUCER, props, who_, {&kafka_producer::on_delivery, this})) {}

void kafka_producer::on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  if (!msg->err)
    return;
  auto* self = static_cast<kafka_producer*>(opaque);
  std::lock_guard<std::mutex> lock(self->mutex_);
  if (!self->failure_)
    self->failure_ = partition_name(msg->rkt ? rd_kafka_topic_name(msg->rkt) : "?",
                                    msg->partition) +
                     ": " + rd_kafka_err2str(msg->err);
}

void kafka_producer::throw_if_failed() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (failure_)
    throw kafka_error(who_ + ": delivery to " + *failure_);
}

void kafka_producer::produce(const kafka_message& m) {
  rd_kafka_headers_t* headers = nullptr;
  if (!m.headers.empty()) {
    headers = rd_kafka_headers_new(m.headers.size());
    for (const auto& [name, value] : m.headers)
      rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                          static_cast<ssize_t>(value.size()));
  }
  const std::int32_t partition = m.partition ? *m.partition : RD_KAFKA_PARTITION_UA;
  const void* key = m.key ? m.key->data() : nullptr;
  const std::size_t key_size = m.key ? m.key->size() : 0;
  for (;;) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_.get(), RD_KAFKA_V_TOPIC(m.topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_VALUE(const_cast<char*>(m.value.data()), m.value.size()),
        RD_KAFKA_V_KEY(key, key_size),
        RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk_.get(), 10);
      throw_if_failed();
      continue;
    }
    if (err) {
      if (headers)
        rd_kafka_headers_destroy(headers);
      throw kafka_error(who_ + ": cannot produce to " +
                        partition_name(m.topic, m.partition ? *m.partition : -1) + ": " +
                        rd_kafka_err2str(err));
    }
    break;
  }
  rd_kafka_poll(rk_.get(), 0);
  throw_if_failed();
}

void kafka_producer::flush() {
  while (rd_kafka_flush(rk_.get(), 1000) == RD_KAFKA_RESP_ERR__TIMED_OUT)
    throw_if_failed();
  throw_if_failed();
}

std::int32_t kafka_producer::partition_count(const std::string& topic) {
  auto it = partitions_.find(topic);
  if (it != partitions_.end())
    return it->second;
  auto topics = list_topics(rk_.get(), 10000, who_);
  auto found = topics.find(topic);
  if (found == topics.end())
    throw kafka_error(who_ + ": topic '" + topic + "' does not exist");
  return partitions_[topic] = found->second;
}

void kafka_producer::fail_with(rd_kafka_error_t* error, const std::string& what) {
  std::string text = rd_kafka_error_string(error);
  rd_kafka_error_destroy(error);
  throw kafka_error(who_ + ": " + what + ": " + text);
}

void kafka_producer::init_transactions() {
  if (auto* e = rd_kafka_init_transactions(rk_.get(), transaction_timeout_ms))
    fail_with(e, "cannot initialise transactions");
}

void kafka_producer::begin_transaction() {
  if (auto* e = rd_kafka_begin_transaction(rk_.get()))
    fail_with(e, "cannot begin a transaction");
}

void kafka_producer::commit_transaction() {
  throw_if_failed();
  if (auto* e = rd_kafka_commit_transaction(rk_.get(), transaction_timeout_ms))
    fail_with(e, "cannot commit its transaction");
}

void kafka_producer::abort_transaction() {
  if (auto* e = rd_kafka_abort_transaction(rk_.get(), transaction_timeout_ms))
    fail_with(e, "cannot abort its transaction");
}

void kafka_producer::send_offset_to_transaction(const std::string& group,
                                                const std::string& topic, std::int32_t partition,
                                                std::int64_t offset,
                                                const std::string& metadata) {
  rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_t* p =
      rd_kafka_topic_partition_list_add(offsets, topic.c_str(), partition);
  p->offset = offset;
  p->metadata = rd_kafka_mem_malloc(nullptr, metadata.size()); // freed with the list
  std::memcpy(p->metadata, metadata.data(), metadata.size());
  p->metadata_size = metadata.size();
  rd_kafka_consumer_group_metadata_t* group_metadata =
      rd_kafka_consumer_group_metadata_new(group.c_str());
  rd_kafka_error_t* e = rd_kafka_send_offsets_to_transaction(rk_.get(), offsets, group_metadata,
                                                             transaction_timeout_ms);
  rd_kafka_consumer_group_metadata_destroy(group_metadata);
  rd_kafka_topic_partition_list_destroy(offsets);
  if (e)
    fail_with(e, "cannot commit the offset of group '" + group + "' on " +
                     partition_name(topic, partition) + " in its transaction");
}

} // namespace sluice::kafka
