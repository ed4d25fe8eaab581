#pragma once
// pg_session: one libpq connection of a sink subtask: connecting with retries and backoff, a
// prepared statement re-prepared on every (re)connection, batches of rows sent pipelined (one
// round trip per batch), and plain commands. libpq stays out of this header.

#include "sluice/connectors/postgres/pg_params.hpp"
#include "sluice/operators/sinks/sink_error.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

struct pg_conn;

namespace sluice {

/// Where and how persistently to connect.
struct postgres_connection_options {
  std::string conninfo;            ///< "postgresql://user@host:port/db" or "host=... port=..."
  int connect_attempts = 4;        ///< attempts per (re)connection before the job fails
  std::chrono::milliseconds initial_backoff{200}; ///< doubled after each failed attempt
  std::chrono::milliseconds max_backoff{5000};
  int connect_timeout_s = 5;       ///< per attempt (libpq's connect_timeout, unless in conninfo)
};

/// A failure of the PostgreSQL sink: connection, statement, or a refused row.
class postgres_error : public sink_error {
public:
  postgres_error(const std::string& what, std::string sqlstate = {})
      : sink_error(what), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }

private:
  std::string sqlstate_;
};

/// The connection broke (the server went away): the session may reconnect.
class postgres_connection_lost : public postgres_error {
public:
  using postgres_error::postgres_error;
};

/// The server refused a row of a batch (constraint, type): the batch's transaction, or its
/// last savepoint, is rolled back.
class postgres_refused_row : public postgres_error {
public:
  postgres_refused_row(const std::string& what, std::string sqlstate, std::size_t row,
                       std::string server_message)
      : postgres_error(what, std::move(sqlstate)), row_(row),
        server_message_(std::move(server_message)) {}
  std::size_t row() const { return row_; }
  const std::string& server_message() const { return server_message_; }

private:
  std::size_t row_;
  std::string server_message_;
};

class pg_session {
public:
  /// `who` names the sink subtask in errors ("Sink: rows (1/2)").
  pg_session(postgres_connection_options options, std::string who);
  ~pg_session();
  pg_session(const pg_session&) = delete;
  pg_session& operator=(const pg_session&) = delete;

  /// Connects (see postgres_connection_options); throws postgres_error naming the server and
  /// libpq's message after the last attempt.
  void connect();
  /// Drops the connection and connects again (with the same retries).
  void reconnect();
  bool connected() const;
  /// Runs `f`; if it loses the connection, reconnects and runs it again, at most
  /// connect_attempts times (`f` must be safe to repeat); then the loss is thrown.
  void run_reconnecting(const std::function<void()>& f);

  /// Prepares `sql` now and after every reconnection; returns its number of parameters.
  std::size_t prepare(const std::string& sql);

  /// Runs the prepared statement once per row of `rows`, pipelined, in one implicit
  /// transaction unless a transaction block is open. A refused row throws postgres_refused_row
  /// with the server's message and the row; a broken connection, postgres_connection_lost.
  void execute_batch(const pg_params& rows);

  /// `COPY table (columns) FROM STDIN`: its number of columns (a COPY begun and cancelled).
  std::size_t copy_columns(const std::string& copy_sql);
  /// Sends `rows` through `copy_sql` (COPY ... FROM STDIN, text format) in one round trip; the
  /// errors of execute_batch (the refused row from the line COPY names).
  void copy_batch(const pg_params& rows, const std::string& copy_sql);

  /// Runs a command; throws postgres_error (or postgres_connection_lost).
  void exec(const std::string& sql);
  /// Runs a command; false if it failed with SQLSTATE `ignored` (other failures throw).
  bool exec_unless(const std::string& sql, const char* ignored);
  /// The first column of a query's rows; `param` is its $1.
  std::vector<std::string> query_column(const std::string& sql,
                                        const std::optional<std::string>& param = {});
  /// "host:port/dbname", for messages.
  std::string server() const;

private:
  [[noreturn]] void fail(const std::string& what, const std::string& message,
                         const std::string& sqlstate) const;
  void check_result(void* result, const std::string& what);

  postgres_connection_options options_;
  std::string who_;
  pg_conn* conn_ = nullptr;
  std::string statement_;
  std::vector<const char*> values_;
  std::string copy_buffer_;
};

} // namespace sluice
