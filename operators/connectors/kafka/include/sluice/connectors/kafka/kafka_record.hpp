#pragma once
// kafka_record: a consumed record as a deserializer sees it (views valid during the call);
// malformed_kafka_record: one the deserializer refused, as a source's side output carries it.

#include "sluice/state/serializer_fields.hpp"
#include "sluice/state/serializer_std.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::kafka {

struct kafka_record {
  std::string_view topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp = -1; ///< ms since the epoch (create or log-append time); -1: none
  std::optional<std::string_view> key;
  std::string_view value;
  std::vector<std::pair<std::string_view, std::string_view>> headers;
};

/// A record the deserializer threw on (kafka_source::skip_malformed with an output tag).
struct malformed_kafka_record {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::optional<std::string> key;
  std::string value; ///< the record's bytes, as read
  std::string error; ///< what the deserializer threw
  SLUICE_FIELDS(topic, partition, offset, key, value, error)
};

} // namespace sluice::kafka
