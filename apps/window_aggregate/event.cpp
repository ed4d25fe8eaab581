#include "event.hpp"

#include <charconv>
#include <stdexcept>
#include <system_error>

namespace window_aggregate {

namespace {

bool parse_int64(const std::string& text, std::int64_t& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return !text.empty() && ec == std::errc() && ptr == end;
}

} // namespace

bool parse_event(const std::string& line, event& out, std::string& error) {
  const auto first = line.find(',');
  const auto second = first == std::string::npos ? first : line.find(',', first + 1);
  if (second == std::string::npos || line.find(',', second + 1) != std::string::npos) {
    error = "expected 3 comma-separated fields key,timestamp_ms,value";
    return false;
  }
  out.key = line.substr(0, first);
  if (out.key.empty()) {
    error = "empty key";
    return false;
  }
  const std::string timestamp = line.substr(first + 1, second - first - 1);
  if (!parse_int64(timestamp, out.timestamp)) {
    error = "timestamp '" + timestamp + "' is not an int64 number of milliseconds";
    return false;
  }
  const std::string value = line.substr(second + 1);
  if (!parse_int64(value, out.value)) {
    error = "value '" + value + "' is not an int64 number";
    return false;
  }
  out.line = line;
  return true;
}

} // namespace window_aggregate

namespace window_aggregate {

void event_parser::operator()(std::pair<std::int64_t, std::string> numbered,
                              sluice::collector<event>& out) {
  const auto& [number, line] = numbered;
  event e;
  std::string error;
  if (parse_event(line, e, error)) {
    out.collect(std::move(e));
    return;
  }
  if (!skip_)
    throw std::runtime_error("line " + std::to_string(number) + ": malformed record '" + line +
                             "': " + error);
  ++*skipped_;
}

} // namespace window_aggregate
