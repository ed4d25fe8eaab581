// The names of prepared transactions: written by transaction_name, read back from the server's
// list by parse_transaction_name (no libpq here: the fuzz target of those names links this alone).

#include "sluice/connectors/postgres/prepared_transactions.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>

namespace sluice::detail {
namespace {

constexpr std::size_t max_part = 80;

std::string fnv1a_hex(const std::string& s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string name_part(const std::string& s) {
  std::string part;
  for (unsigned char c : s)
    part += std::isalnum(c) || c == '_' || c == '.' || c == '-' ? static_cast<char>(c) : '_';
  if (part.size() > max_part)
    part = part.substr(0, max_part - 17) + "~" + fnv1a_hex(s);
  return part;
}

} // namespace

std::string transaction_prefix(const std::string& job_name, const std::string& operator_name) {
  return "sluice/" + name_part(job_name) + "/" + name_part(operator_name);
}

std::string transaction_name(const std::string& prefix, int subtask, std::int64_t checkpoint_id) {
  return prefix + "/" + std::to_string(subtask) + "/" + std::to_string(checkpoint_id);
}

std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s)
    q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

std::optional<prepared_transaction> parse_transaction_name(const std::string& gid,
                                                          const std::string& prefix) {
  if (gid.size() <= prefix.size() || gid.compare(0, prefix.size(), prefix) != 0 ||
      gid[prefix.size()] != '/')
    return std::nullopt;
  const char* first = gid.data() + prefix.size() + 1;
  const char* last = gid.data() + gid.size();
  prepared_transaction t{gid, 0, 0};
  auto [slash, e1] = std::from_chars(first, last, t.subtask);
  if (e1 != std::errc() || slash == last || *slash != '/')
    return std::nullopt;
  auto [end, e2] = std::from_chars(slash + 1, last, t.checkpoint_id);
  // Only the names transaction_name writes: no sign, no leading zeros, nothing after.
  if (e2 != std::errc() || end != last || t.subtask < 0 || t.checkpoint_id < 0 ||
      transaction_name(prefix, t.subtask, t.checkpoint_id) != gid)
    return std::nullopt;
  return t;
}

} // namespace sluice::detail
