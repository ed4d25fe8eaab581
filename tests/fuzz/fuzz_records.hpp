#pragma once
// The SLUICE_FIELDS record types of the batch_fields target (and its seeds): flat, nested,
// inside containers, listed by an ADL function, and copies of the shipped programs' records.

#include "sluice/state/serializer_fields.hpp"
#include "sluice/state/serializer_std.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fuzz {

struct point {
  std::int32_t x = 0;
  std::int32_t y = 0;
  SLUICE_FIELDS(x, y)
};

/// As window_aggregate::event.
struct csv_event {
  std::string key;
  std::int64_t timestamp = 0;
  std::int64_t value = 0;
  std::string line;
  SLUICE_FIELDS(key, timestamp, value, line)
};

/// As sluice::kafka::malformed_kafka_record.
struct malformed_record {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::optional<std::string> key;
  std::string value;
  std::string error;
  SLUICE_FIELDS(topic, partition, offset, key, value, error)
};

struct route {
  std::string name;
  std::vector<point> stops;
  std::map<std::string, point> named;
  std::optional<csv_event> last;
  bool closed = false;
  double length = 0;
  SLUICE_FIELDS(name, stops, named, last, closed, length)
};

/// A type declared elsewhere, listed by an ADL sluice_fields function.
struct external {
  std::uint8_t tag = 0;
  std::vector<route> routes;
};

template <class F>
auto sluice_fields(F& f, external& x) {
  return f(x.tag, x.routes);
}

} // namespace fuzz
