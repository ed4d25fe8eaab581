#include "sluice/connectors/postgres/pg_session.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <thread>
#include <utility>

namespace sluice {
namespace {

struct result_deleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using result_ptr = std::unique_ptr<PGresult, result_deleter>;

std::string trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
    s.pop_back();
  return s;
}

std::string sqlstate_of(const PGresult* r) {
  const char* s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  return s ? s : "";
}

} // namespace

pg_session::pg_session(postgres_connection_options options, std::string who)
    : options_(std::move(options)), who_(std::move(who)) {}

pg_session::~pg_session() {
  if (conn_)
    PQfinish(conn_);
}

bool pg_session::connected() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

std::string pg_session::server() const {
  if (!conn_)
    return "'" + options_.conninfo + "'";
  return std::string(PQhost(conn_) ? PQhost(conn_) : "?") + ":" +
         (PQport(conn_) ? PQport(conn_) : "?") + "/" + (PQdb(conn_) ? PQdb(conn_) : "?");
}

void pg_session::fail(const std::string& what, const std::string& message,
                      const std::string& sqlstate) const {
  const auto text = "sink '" + who_ + "': " + what + " on PostgreSQL " + server() + ": " + message;
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK)
    throw postgres_connection_lost(text, sqlstate);
  throw postgres_error(text, sqlstate);
}

void pg_session::connect() {
  const auto timeout = std::to_string(options_.connect_timeout_s);
  const char* keys[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), options_.conninfo.c_str(), nullptr};
  auto backoff = options_.initial_backoff;
  const int attempts = std::max(1, options_.connect_attempts);
  for (int attempt = 1;; ++attempt) {
    if (conn_)
      PQfinish(conn_);
    conn_ = PQconnectdbParams(keys, values, 1);
    if (PQstatus(conn_) == CONNECTION_OK)
      break;
    if (attempt == attempts)
      fail("cannot connect after " + std::to_string(attempts) + " attempt(s)",
           trimmed(PQerrorMessage(conn_)), "");
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  if (!statement_.empty())
    prepare(statement_);
}

void pg_session::reconnect() { connect(); }

void pg_session::run_reconnecting(const std::function<void()>& f) {
  for (int attempt = 1;; ++attempt) {
    try {
      return f();
    } catch (const postgres_connection_lost&) {
      if (attempt >= std::max(1, options_.connect_attempts))
        throw;
      reconnect(); // throws once its own attempts are spent
    }
  }
}

void pg_session::check_result(void* result, const std::string& what) {
  auto* r = static_cast<PGresult*>(result);
  const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
    return;
  const auto message = r && PQresultErrorMessage(r)[0] ? trimmed(PQresultErrorMessage(r))
                                                       : trimmed(PQerrorMessage(conn_));
  fail(what, message, sqlstate_of(r));
}

std::size_t pg_session::prepare(const std::string& sql) {
  statement_ = sql;
  result_ptr prepared{PQprepare(conn_, "sluice_sink", sql.c_str(), 0, nullptr)};
  check_result(prepared.get(), "preparing statement '" + sql + "'");
  result_ptr described{PQdescribePrepared(conn_, "sluice_sink")};
  check_result(described.get(), "describing statement '" + sql + "'");
  return static_cast<std::size_t>(PQnparams(described.get()));
}

void pg_session::execute_batch(const pg_params& rows) {
  if (rows.empty())
    return;
  if (!connected())
    fail("writing a batch", "the connection is closed", "");
  if (PQenterPipelineMode(conn_) != 1)
    fail("entering pipeline mode", trimmed(PQerrorMessage(conn_)), "");
  for (std::size_t i = 0; i < rows.rows(); ++i) {
    rows.values(i, values_);
    if (PQsendQueryPrepared(conn_, "sluice_sink", static_cast<int>(values_.size()), values_.data(),
                            nullptr, nullptr, 0) != 1)
      fail("sending a batch", trimmed(PQerrorMessage(conn_)), "");
  }
  if (PQpipelineSync(conn_) != 1)
    fail("sending a batch", trimmed(PQerrorMessage(conn_)), "");
  // Results: per row one result then a null, and finally the sync's result.
  std::optional<std::size_t> refused;
  std::string message, sqlstate;
  std::size_t row = 0;
  for (;;) {
    result_ptr r{PQgetResult(conn_)};
    if (!r) {
      if (PQstatus(conn_) != CONNECTION_OK)
        fail("writing a batch", trimmed(PQerrorMessage(conn_)), "");
      ++row;
      continue;
    }
    const auto status = PQresultStatus(r.get());
    if (status == PGRES_PIPELINE_SYNC)
      break;
    if (status == PGRES_FATAL_ERROR && !refused) {
      refused = row;
      message = trimmed(PQresultErrorMessage(r.get()));
      sqlstate = sqlstate_of(r.get());
      if (PQstatus(conn_) != CONNECTION_OK)
        fail("writing a batch", message, sqlstate);
    }
  }
  PQexitPipelineMode(conn_);
  if (refused) {
    if (*refused >= rows.rows())
      fail("writing a batch", message, sqlstate);
    throw postgres_refused_row("sink '" + who_ + "': the server refused row " +
                                   rows.describe(*refused) + " on PostgreSQL " + server() + ": " +
                                   message,
                               sqlstate, *refused, message);
  }
}

std::size_t pg_session::copy_columns(const std::string& copy_sql) {
  result_ptr r{PQexec(conn_, copy_sql.c_str())};
  if (!r || PQresultStatus(r.get()) != PGRES_COPY_IN) {
    check_result(r.get(), "starting '" + copy_sql + "'");
    fail("starting '" + copy_sql + "'", "not a COPY ... FROM STDIN", "");
  }
  const auto columns = static_cast<std::size_t>(PQnfields(r.get()));
  if (PQputCopyEnd(conn_, "sluice: probing the columns") != 1)
    fail("cancelling '" + copy_sql + "'", trimmed(PQerrorMessage(conn_)), "");
  while (result_ptr end{PQgetResult(conn_)}) {
  }
  return columns;
}

void pg_session::copy_batch(const pg_params& rows, const std::string& copy_sql) {
  if (rows.empty())
    return;
  result_ptr r{PQexec(conn_, copy_sql.c_str())};
  if (!r || PQresultStatus(r.get()) != PGRES_COPY_IN)
    check_result(r.get(), "starting '" + copy_sql + "'");
  copy_buffer_.clear();
  rows.copy_text(copy_buffer_);
  if (PQputCopyData(conn_, copy_buffer_.data(), static_cast<int>(copy_buffer_.size())) != 1 ||
      PQputCopyEnd(conn_, nullptr) != 1)
    fail("sending a batch", trimmed(PQerrorMessage(conn_)), "");
  std::string message, sqlstate, context;
  bool failed = false;
  while (result_ptr res{PQgetResult(conn_)}) {
    if (PQresultStatus(res.get()) == PGRES_FATAL_ERROR && !failed) {
      failed = true;
      message = trimmed(PQresultErrorMessage(res.get()));
      sqlstate = sqlstate_of(res.get());
      const char* ctx = PQresultErrorField(res.get(), PG_DIAG_CONTEXT);
      context = ctx ? ctx : "";
    }
  }
  if (!failed)
    return;
  if (PQstatus(conn_) != CONNECTION_OK)
    fail("writing a batch", message, sqlstate);
  // The context names the line: "COPY t, line 3, column n: ...".
  const auto at = context.find(", line ");
  const auto line = at == std::string::npos ? 0 : std::strtoul(context.c_str() + at + 7, nullptr, 10);
  if (line == 0 || line > rows.rows())
    fail("writing a batch", message, sqlstate);
  throw postgres_refused_row("sink '" + who_ + "': the server refused row " +
                                 rows.describe(line - 1) + " on PostgreSQL " + server() + ": " +
                                 message,
                             sqlstate, line - 1, message);
}

void pg_session::exec(const std::string& sql) {
  result_ptr r{PQexec(conn_, sql.c_str())};
  check_result(r.get(), "'" + sql + "'");
}

bool pg_session::exec_unless(const std::string& sql, const char* ignored) {
  result_ptr r{PQexec(conn_, sql.c_str())};
  if (sqlstate_of(r.get()) == ignored)
    return false;
  check_result(r.get(), "'" + sql + "'");
  return true;
}

std::vector<std::string> pg_session::query_column(const std::string& sql,
                                                  const std::optional<std::string>& param) {
  const char* values[] = {param ? param->c_str() : nullptr};
  result_ptr r{PQexecParams(conn_, sql.c_str(), param ? 1 : 0, nullptr, values, nullptr, nullptr,
                            0)};
  check_result(r.get(), "'" + sql + "'");
  std::vector<std::string> column;
  for (int i = 0; i < PQntuples(r.get()); ++i)
    column.emplace_back(PQgetvalue(r.get(), i, 0));
  return column;
}

} // namespace sluice
