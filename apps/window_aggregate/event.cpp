#include "event.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <system_error>

namespace window_aggregate {

namespace {

/// `text` for an error message: control bytes and bytes that are not UTF-8 as \xNN, and at most
/// the first `limit` bytes (a binary file's "line" may be megabytes).
std::string printable(const std::string& text, std::size_t limit = 200) {
  static const char* const hex = "0123456789abcdef";
  std::string out;
  const std::size_t n = std::min(text.size(), limit);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xe  ? 3
                      : (c >> 3) == 0x1e ? 4
                                         : 0;
    for (std::size_t k = 1; k < len; ++k)
      if (i + k >= n || (static_cast<unsigned char>(text[i + k]) >> 6) != 0x2)
        len = 0;
    if (len > 1) {
      out.append(text, i, len);
      i += len - 1;
    } else if (len == 1 && c >= 0x20 && c != 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    }
  }
  if (text.size() > limit)
    out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

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
    error = "timestamp '" + printable(timestamp) + "' is not an int64 number of milliseconds";
    return false;
  }
  const std::string value = line.substr(second + 1);
  if (!parse_int64(value, out.value)) {
    error = "value '" + printable(value) + "' is not an int64 number";
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
    throw std::runtime_error(input_ + " line " + std::to_string(number) + ": malformed record '" +
                             printable(line) + "': " + error);
  ++*skipped_;
}

} // namespace window_aggregate
