#include "sluice/connectors/postgres/prepared_transactions.hpp"

namespace sluice::detail {

std::vector<prepared_transaction> list_prepared(pg_session& session, const std::string& prefix) {
  const auto gids = session.query_column(
      "SELECT gid FROM pg_prepared_xacts WHERE database = current_database() "
      "AND left(gid, length($1) + 1) = $1 || '/' ORDER BY prepared",
      prefix);
  std::vector<prepared_transaction> found;
  for (const auto& gid : gids)
    if (auto t = parse_transaction_name(gid, prefix))
      found.push_back(std::move(*t));
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
