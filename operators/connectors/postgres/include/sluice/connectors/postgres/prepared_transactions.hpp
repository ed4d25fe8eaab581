#pragma once
// The names of a sink's prepared transactions, and the transactions a server holds: a name is
// "<prefix>/<subtask>/<checkpoint id>" with the prefix made of the job's and the operator's
// names (or set by the user), at most 200 bytes (PostgreSQL's limit).

#include "sluice/connectors/postgres/pg_session.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::detail {

/// "sluice/<job>/<operator>", each part reduced to [A-Za-z0-9_.-] and, when long, shortened
/// with a hash of the whole.
std::string transaction_prefix(const std::string& job_name, const std::string& operator_name);
std::string transaction_name(const std::string& prefix, int subtask, std::int64_t checkpoint_id);

/// A SQL string literal.
std::string quoted(const std::string& s);

struct prepared_transaction {
  std::string gid;
  int subtask = 0;
  std::int64_t checkpoint_id = 0;
};

/// The transaction a name read from the server stands for, if it is one transaction_name
/// writes under `prefix` (anything else, e.g. another sink's or a hand-made one, is not ours).
std::optional<prepared_transaction> parse_transaction_name(const std::string& gid,
                                                          const std::string& prefix);

/// The transactions prepared under `prefix` in the session's database.
std::vector<prepared_transaction> list_prepared(pg_session& session, const std::string& prefix);

/// Throws postgres_error naming max_prepared_transactions if the server has it at 0.
void require_prepared_transactions(pg_session& session, const std::string& who);

} // namespace sluice::detail
