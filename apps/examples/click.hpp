#pragma once
// The records of sessionization: clicks, parsed from `user,timestamp_ms`.

#include <sluice/sluice.hpp>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace sessionization {

struct click {
  std::string user;
  std::int64_t timestamp = 0;
  SLUICE_FIELDS(user, timestamp)
};

/// Parses `user,timestamp_ms`; throws std::invalid_argument naming the line.
inline click parse_click(const std::string& line) {
  const auto comma = line.find(',');
  if (comma == std::string::npos || comma == 0 || line.find(',', comma + 1) != std::string::npos)
    throw std::invalid_argument("bad click '" + line + "' (expected user,timestamp_ms)");
  click c;
  c.user = line.substr(0, comma);
  const std::string timestamp = line.substr(comma + 1);
  char* end = nullptr;
  c.timestamp = std::strtoll(timestamp.c_str(), &end, 10);
  if (timestamp.empty() || *end != '\0')
    throw std::invalid_argument("bad click '" + line + "': timestamp '" + timestamp +
                                "' is not an integer");
  return c;
}

/// Clicks of two users over a few minutes, in time order (sessions with the default 30 s gap:
/// alice [0,40000) 3 clicks, [100000,130000) 1, [200000,245000) 2; bob [5000,95000) 4).
inline std::vector<std::string> builtin_clicks() {
  return {"alice,0",     "bob,5000",     "alice,3000",   "alice,10000", "bob,30000",
          "bob,50000",   "bob,65000",    "alice,100000", "alice,200000", "alice,215000"};
}

} // namespace sessionization
