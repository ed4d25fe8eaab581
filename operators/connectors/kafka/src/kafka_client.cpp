#include "sluice/connectors/kafka/kafka_client.hpp"

namespace sluice::kafka {

handle_ptr make_handle(rd_kafka_type_t type, const properties& props, const std::string& who,
                       handle_callbacks callbacks) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [key, value] : props) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      throw kafka_error(who + ": Kafka property '" + key + "=" + value + "': " + errstr);
    }
  }
  if (callbacks.delivery)
    rd_kafka_conf_set_dr_msg_cb(conf, callbacks.delivery);
  if (callbacks.opaque)
    rd_kafka_conf_set_opaque(conf, callbacks.opaque);
  handle_ptr rk(rd_kafka_new(type, conf, errstr, sizeof errstr));
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    throw kafka_error(who + ": cannot create a Kafka client: " + errstr);
  }
  return rk;
}

std::map<std::string, int> list_topics(rd_kafka_t* rk, int timeout_ms, const std::string& who) {
  const rd_kafka_metadata_t* md = nullptr;
  auto err = rd_kafka_metadata(rk, 1, nullptr, &md, timeout_ms);
  if (err) {
    char servers[512] = "?";
    size_t size = sizeof servers;
    rd_kafka_conf_get(rd_kafka_conf(rk), "bootstrap.servers", servers, &size);
    throw kafka_error(who + ": no answer to a metadata request from bootstrap.servers '" +
                      servers + "' within " + std::to_string(timeout_ms) +
                      " ms: " + rd_kafka_err2str(err));
  }
  std::map<std::string, int> topics;
  for (int i = 0; i < md->topic_cnt; ++i)
    if (!md->topics[i].err)
      topics[md->topics[i].topic] = md->topics[i].partition_cnt;
  rd_kafka_metadata_destroy(md);
  return topics;
}

std::pair<std::int64_t, std::int64_t> watermark_offsets(rd_kafka_t* rk, const std::string& topic,
                                                        std::int32_t partition, int timeout_ms,
                                                        const std::string& who) {
  std::int64_t low = 0;
  std::int64_t high = 0;
  if (auto err = rd_kafka_query_watermark_offsets(rk, topic.c_str(), partition, &low, &high,
                                                  timeout_ms))
    throw kafka_error(who + ": cannot read the offsets of " + partition_name(topic, partition) +
                      ": " + rd_kafka_err2str(err));
  return {low, high};
}

std::optional<committed_position> committed_offset(const properties& props, const std::string& group,
                                             const std::string& topic, std::int32_t partition,
                                             int timeout_ms, const std::string& who) {
  properties consumer;
  for (const auto& key : {"bootstrap.servers", "security.protocol", "sasl.mechanisms",
                          "sasl.username", "sasl.password", "ssl.ca.location",
                          "ssl.certificate.location", "ssl.key.location", "ssl.key.password"})
    if (auto it = props.find(key); it != props.end())
      consumer.insert(*it);
  consumer["group.id"] = group;
  consumer["isolation.level"] = "read_committed"; // OffsetFetch with RequireStable
  consumer["enable.auto.commit"] = "false";
  auto rk = make_handle(RD_KAFKA_CONSUMER, consumer, who);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), partition);
  rd_kafka_resp_err_t err = rd_kafka_committed(rk.get(), list, timeout_ms);
  if (!err)
    err = list->elems[0].err;
  const auto& got = list->elems[0];
  committed_position position{got.offset,
                              got.metadata ? std::string(static_cast<const char*>(got.metadata),
                                                         got.metadata_size)
                                           : std::string()};
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_consumer_close(rk.get());
  if (err)
    throw kafka_error(who + ": cannot read the offset group '" + group + "' committed on " +
                      partition_name(topic, partition) + ": " + rd_kafka_err2str(err));
  if (position.offset < 0)
    return std::nullopt;
  return position;
}

std::string partition_name(const std::string& topic, std::int32_t partition) {
  return "topic '" + topic + "' partition " + std::to_string(partition);
}

} // namespace sluice::kafka
