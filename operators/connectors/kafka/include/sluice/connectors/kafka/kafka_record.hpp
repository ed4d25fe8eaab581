#pragma once
// kafka_record: a consumed record as a deserializer sees it (views valid during the call).

#include <cstdint>
#include <optional>
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

} // namespace sluice::kafka
