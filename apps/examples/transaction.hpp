#pragma once
// The records of fraud_detection: card transactions, parsed from `account,amount,timestamp_ms`.

#include <sluice/sluice.hpp>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace fraud_detection {

struct transaction {
  std::string account;
  double amount = 0;
  std::int64_t timestamp = 0;
  SLUICE_FIELDS(account, amount, timestamp)
};

/// Parses `account,amount,timestamp_ms`; throws std::invalid_argument naming the line.
inline transaction parse_transaction(const std::string& line) {
  const auto fail = [&line](const std::string& why) {
    return std::invalid_argument("bad transaction '" + line + "': " + why +
                                 " (expected account,amount,timestamp_ms)");
  };
  const auto first = line.find(',');
  const auto second = first == std::string::npos ? first : line.find(',', first + 1);
  if (second == std::string::npos || line.find(',', second + 1) != std::string::npos)
    throw fail("not 3 fields");
  transaction t;
  t.account = line.substr(0, first);
  if (t.account.empty())
    throw fail("empty account");
  const std::string amount = line.substr(first + 1, second - first - 1);
  const std::string timestamp = line.substr(second + 1);
  char* end = nullptr;
  t.amount = std::strtod(amount.c_str(), &end);
  if (amount.empty() || *end != '\0' || t.amount < 0)
    throw fail("amount '" + amount + "' is not a non-negative number");
  t.timestamp = std::strtoll(timestamp.c_str(), &end, 10);
  if (timestamp.empty() || *end != '\0')
    throw fail("timestamp '" + timestamp + "' is not an integer");
  return t;
}

/// A few minutes of transactions of three accounts, in time order. Account 3 makes a small
/// transaction followed within a minute by a large one (an alert at 60000); account 1's large
/// transaction comes 61 s after its small one (no alert); account 2's small transaction is
/// followed by a medium one, which ends the pattern before its large one (no alert).
inline std::vector<std::string> builtin_transactions() {
  return {"1,0.50,0",     "2,188.23,5000",  "3,374.79,10000", "3,0.09,20000",
          "1,112.15,30000", "2,712.01,40000", "3,580.20,60000", "1,0.75,65000",
          "1,705.00,126000", "2,0.01,130000", "2,30.00,140000", "2,900.00,200000"};
}

} // namespace fraud_detection
