#pragma once
// kafka_client: librdkafka handles made from property maps, and the errors of the connector.

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice::kafka {

/// librdkafka properties (bootstrap.servers, group.id, ...), passed through as given.
using properties = std::map<std::string, std::string>;

/// A Kafka error: the message names the topic and partition, or the property, concerned.
class kafka_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct handle_deleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using handle_ptr = std::unique_ptr<rd_kafka_t, handle_deleter>;

/// What a new handle gets besides its properties.
struct handle_callbacks {
  /// Producer delivery reports (rd_kafka_conf_set_dr_msg_cb).
  void (*delivery)(rd_kafka_t*, const rd_kafka_message_t*, void*) = nullptr;
  void* opaque = nullptr;
};

/// A consumer or producer with `props`. `who` names the user in errors ("kafka_source 'x'");
/// a property librdkafka refuses is named with its reason.
handle_ptr make_handle(rd_kafka_type_t type, const properties& props, const std::string& who,
                       handle_callbacks callbacks = {});

/// The partition counts of the topics the cluster knows (a metadata request waiting at most
/// timeout_ms). Throws kafka_error naming the bootstrap servers if no broker answered in time.
std::map<std::string, int> list_topics(rd_kafka_t* rk, int timeout_ms, const std::string& who);

/// The low and high watermarks (earliest offset, offset after the last record) of a partition.
std::pair<std::int64_t, std::int64_t> watermark_offsets(rd_kafka_t* rk, const std::string& topic,
                                                        std::int32_t partition, int timeout_ms,
                                                        const std::string& who);

/// An offset a consumer group committed, with its metadata.
struct committed_position {
  std::int64_t offset = 0;
  std::string metadata;
};

/// The offset group `group` committed on `topic` partition `partition` (OffsetFetch, waiting for
/// pending transactional commits to settle), or nullopt if it committed none. `props` give the
/// cluster (bootstrap.servers and security settings).
std::optional<committed_position> committed_offset(const properties& props, const std::string& group,
                                             const std::string& topic, std::int32_t partition,
                                             int timeout_ms, const std::string& who);

/// "topic 't' partition 3": how errors name a partition.
std::string partition_name(const std::string& topic, std::int32_t partition);

} // namespace sluice::kafka
