#include "sluice/connectors/postgres/prepared_transactions.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>

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

std::vector<prepared_transaction> list_prepared(pg_session& session, const std::string& prefix) {
  const auto gids = session.query_column(
      "SELECT gid FROM pg_prepared_xacts WHERE database = current_database() "
      "AND left(gid, length($1) + 1) = $1 || '/' ORDER BY prepared",
      prefix);
  std::vector<prepared_transaction> found;
  for (const auto& gid : gids) {
    const auto rest = gid.substr(prefix.size() + 1);
    const auto slash = rest.find('/');
    if (slash == std::string::npos)
      continue;
    char* end = nullptr;
    const long subtask = std::strtol(rest.c_str(), &end, 10);
    if (end != rest.c_str() + slash)
      continue;
    const long long checkpoint = std::strtoll(rest.c_str() + slash + 1, &end, 10);
    if (*end != '\0')
      continue;
    found.push_back({gid, static_cast<int>(subtask), checkpoint});
  }
  return found;
}

void require_prepared_transactions(pg_session& session, const std::string& who) {
  const auto value = session.query_column("SHOW max_prepared_transactions");
  if (value.empty() || value.front() == "0")
    throw postgres_error("sink '" + who + "': exactly-once delivery needs prepared transactions, "
                         "but PostgreSQL " + session.server() +
                         " has max_prepared_transactions = 0 (set it in postgresql.conf to at "
                         "least the number of sink subtasks times the checkpoints in flight, "
                         "and restart the server)");
}

} // namespace sluice::detail
