#pragma once
// An in-process librdkafka mock cluster (rdkafka_mock.h) and a producer writing test records to
// it at given partitions and timestamps.

#include "sluice/connectors/kafka/kafka_client.hpp"

#include <librdkafka/rdkafka_mock.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace sluice::kafka::test {

class mock_cluster {
public:
  explicit mock_cluster(int brokers = 1)
      : rk_(make_handle(RD_KAFKA_PRODUCER, {{"log_level", "3"}}, "mock")),
        cluster_(rd_kafka_mock_cluster_new(rk_.get(), brokers)),
        producer_(make_handle(RD_KAFKA_PRODUCER,
                              {{"bootstrap.servers", bootstrap_servers()}, {"linger.ms", "0"}},
                              "test producer")) {}
  ~mock_cluster() {
    producer_.reset();
    rd_kafka_mock_cluster_destroy(cluster_);
  }
  mock_cluster(const mock_cluster&) = delete;
  mock_cluster& operator=(const mock_cluster&) = delete;

  std::string bootstrap_servers() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }
  rd_kafka_mock_cluster_t* get() const { return cluster_; }

  void create_topic(const std::string& topic, int partitions) {
    if (auto err = rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1))
      throw std::runtime_error(std::string("create topic: ") + rd_kafka_err2str(err));
  }

  /// Writes a record and waits until the broker acknowledged it.
  void produce(const std::string& topic, std::int32_t partition, const std::string& value,
               std::int64_t timestamp = 0, const std::string& key = "") {
    auto err = rd_kafka_producev(
        producer_.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_KEY(key.empty() ? nullptr : key.data(), key.size()),
        RD_KAFKA_V_TIMESTAMP(timestamp), RD_KAFKA_V_END);
    if (err)
      throw std::runtime_error(std::string("produce: ") + rd_kafka_err2str(err));
    if (rd_kafka_flush(producer_.get(), 10000))
      throw std::runtime_error("produce: not acknowledged within 10 s");
  }

  /// The offset after the last record of a partition.
  std::int64_t end_offset(const std::string& topic, std::int32_t partition) {
    return watermark_offsets(producer_.get(), topic, partition, 10000, "test").second;
  }

private:
  handle_ptr rk_;
  rd_kafka_mock_cluster_t* cluster_;
  handle_ptr producer_;
};

/// Every record of a topic's partitions from offset 0 to their ends: (partition, key, value).
struct consumed {
  std::int32_t partition;
  std::string key;
  std::string value;
};

inline std::vector<consumed> read_topic(const std::string& servers, const std::string& topic,
                                        int partitions) {
  auto rk = make_handle(RD_KAFKA_CONSUMER,
                        {{"bootstrap.servers", servers}, {"group.id", "test-reader"},
                         {"enable.partition.eof", "true"}, {"enable.auto.commit", "false"}},
                        "test reader");
  auto* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p)
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = 0;
  rd_kafka_assign(rk.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<consumed> out;
  int at_end = 0;
  while (at_end < partitions) {
    auto* m = rd_kafka_consumer_poll(rk.get(), 1000);
    if (!m)
      continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
      ++at_end;
    else if (!m->err)
      out.push_back({m->partition,
                     m->key ? std::string(static_cast<const char*>(m->key), m->key_len) : std::string(),
                     std::string(static_cast<const char*>(m->payload), m->len)});
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk.get());
  return out;
}

} // namespace sluice::kafka::test
