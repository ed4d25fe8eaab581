#pragma once
// The records of window_aggregate: input events parsed from CSV lines, and window statistics.

#include <sluice/operators/core/collector.hpp>
#include <sluice/state/serialization.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace window_aggregate {

/// One input line `key,timestamp_ms,value`, with the line itself for the late output.
struct event {
  std::string key;
  std::int64_t timestamp = 0;
  std::int64_t value = 0;
  std::string line;
  SLUICE_FIELDS(key, timestamp, value, line)
};

/// Parses `line` into `out`. On failure returns false and sets `error` to the reason.
/// Exactly three comma-separated fields: a non-empty key and two decimal int64 numbers.
bool parse_event(const std::string& line, event& out, std::string& error);

/// count, sum, min and max of the values of a window.
struct window_stats {
  std::int64_t count = 0;
  std::int64_t sum = 0;
  std::int64_t min = 0;
  std::int64_t max = 0;
  SLUICE_FIELDS(count, sum, min, max)
};

} // namespace window_aggregate

namespace window_aggregate {

/// Parses numbered input lines: a malformed line throws std::runtime_error naming the input
/// (`'path'` or `stdin`), its line number and the line (unprintable bytes escaped as \xNN), or
/// with `skip` is counted in `skipped`.
class event_parser {
public:
  event_parser(std::string input, bool skip, std::shared_ptr<std::atomic<std::int64_t>> skipped)
      : input_(std::move(input)), skip_(skip), skipped_(std::move(skipped)) {}
  void operator()(std::pair<std::int64_t, std::string> line, sluice::collector<event>& out);

private:
  std::string input_;
  bool skip_;
  std::shared_ptr<std::atomic<std::int64_t>> skipped_;
};

} // namespace window_aggregate
