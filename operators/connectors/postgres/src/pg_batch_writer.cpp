#include "sluice/connectors/postgres/pg_batch_writer.hpp"

#include "sluice/connectors/postgres/prepared_transactions.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace sluice {

pg_batch_writer::pg_batch_writer(const postgres_connection_options& options,
                                 std::string statement, std::size_t batch_size, mode m,
                                 std::string who, refused_handler on_refused)
    : session_(options, who), on_refused_(std::move(on_refused)),
      statement_(std::move(statement)), who_(std::move(who)), batch_size_(std::max<std::size_t>(1, batch_size)), mode_(m) {}

void pg_batch_writer::open() {
  session_.connect();
  std::string head = statement_.substr(0, 5);
  for (auto& c : head)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  copy_ = head == "COPY ";
  statement_params_ = copy_ ? session_.copy_columns(statement_) : session_.prepare(statement_);
}

void pg_batch_writer::end_row() {
  const auto given = rows_.open_params();
  if (given != statement_params_) {
    rows_.end_row();
    const auto row = rows_.describe(rows_.rows() - 1);
    rows_.clear();
    throw postgres_error("sink '" + who_ + "': the binder gave " + std::to_string(given) +
                         " parameter(s) " + row + " but the statement '" + statement_ + "' has " +
                         std::to_string(statement_params_));
  }
  rows_.end_row();
  if (rows_.rows() >= batch_size_)
    flush();
}

void pg_batch_writer::flush() {
  if (rows_.empty())
    return;
  if (mode_ == mode::transaction) {
    if (!in_transaction_) {
      session_.exec("BEGIN");
      in_transaction_ = true;
    }
    try {
      send();
    } catch (const postgres_connection_lost& e) {
      throw postgres_connection_lost(std::string(e.what()) +
                                         " (the server rolled back the rows written since the "
                                         "last checkpoint; the job restarts from it)",
                                     e.sqlstate());
    }
    rows_.clear();
    return;
  }
  session_.run_reconnecting([this] { send(); });
  rows_.clear();
}

void pg_batch_writer::execute() {
  copy_ ? session_.copy_batch(rows_, statement_) : session_.execute_batch(rows_);
}

void pg_batch_writer::send() {
  if (!on_refused_)
    return execute();
  const bool savepoint = mode_ == mode::transaction;
  while (!rows_.empty()) {
    if (savepoint)
      session_.exec("SAVEPOINT sluice_batch");
    try {
      execute();
      return;
    } catch (const postgres_refused_row& e) {
      if (savepoint)
        session_.exec("ROLLBACK TO SAVEPOINT sluice_batch");
      on_refused_(rows_.describe(e.row()), e.server_message());
      rows_ = rows_.without(e.row());
    }
  }
}

bool pg_batch_writer::prepare_transaction(const std::string& gid) {
  flush();
  if (!in_transaction_)
    return false;
  in_transaction_ = false;
  session_.exec("PREPARE TRANSACTION " + detail::quoted(gid));
  return true;
}

void pg_batch_writer::roll_back() {
  rows_.clear();
  if (!in_transaction_)
    return;
  in_transaction_ = false;
  if (session_.connected())
    session_.exec("ROLLBACK");
}

} // namespace sluice
