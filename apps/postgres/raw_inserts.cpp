#include "raw_inserts.hpp"

#include <libpq-fe.h>

#include <stdexcept>

namespace bench_postgres {
namespace {

PGconn* connect(const std::string& url) {
  PGconn* c = PQconnectdb(url.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    const std::string error = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("cannot connect to " + url + ": " + error);
  }
  return c;
}

void check(PGconn* c, PGresult* r, const std::string& what) {
  const auto status = PQresultStatus(r);
  const std::string error = PQresultErrorMessage(r);
  PQclear(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw std::runtime_error(what + ": " + (error.empty() ? PQerrorMessage(c) : error));
}

} // namespace

raw_inserts::raw_inserts(const std::string& url, const std::string& statement)
    : conn_(connect(url)) {
  check(conn_, PQprepare(conn_, "raw", statement.c_str(), 2, nullptr), "prepare");
}

raw_inserts::~raw_inserts() { PQfinish(conn_); }

void raw_inserts::exec(const std::string& sql) { check(conn_, PQexec(conn_, sql.c_str()), sql); }

void raw_inserts::begin_batch() {
  if (PQenterPipelineMode(conn_) != 1)
    throw std::runtime_error(PQerrorMessage(conn_));
  sent_ = 0;
}

void raw_inserts::send(const std::string& a, const std::string& b) {
  const char* values[] = {a.c_str(), b.c_str()};
  if (PQsendQueryPrepared(conn_, "raw", 2, values, nullptr, nullptr, 0) != 1)
    throw std::runtime_error(PQerrorMessage(conn_));
  ++sent_;
}

void raw_inserts::end_batch() {
  if (PQpipelineSync(conn_) != 1)
    throw std::runtime_error(PQerrorMessage(conn_));
  for (std::size_t i = 0; i < sent_; ++i) {
    check(conn_, PQgetResult(conn_), "insert");
    if (PGresult* end = PQgetResult(conn_)) // each query's results end with a null
      check(conn_, end, "unexpected result");
  }
  PGresult* sync = PQgetResult(conn_);
  const bool synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
  PQclear(sync);
  if (!synced || PQexitPipelineMode(conn_) != 1)
    throw std::runtime_error("pipeline: " + std::string(PQerrorMessage(conn_)));
}

raw_copy::raw_copy(const std::string& url) : conn_(connect(url)) {}
raw_copy::~raw_copy() { PQfinish(conn_); }

void raw_copy::batch(const std::string& copy_sql, const std::string& text) {
  PGresult* start = PQexec(conn_, copy_sql.c_str());
  const bool copying = PQresultStatus(start) == PGRES_COPY_IN;
  PQclear(start);
  if (!copying || PQputCopyData(conn_, text.data(), static_cast<int>(text.size())) != 1 ||
      PQputCopyEnd(conn_, nullptr) != 1)
    throw std::runtime_error("copy: " + std::string(PQerrorMessage(conn_)));
  while (PGresult* r = PQgetResult(conn_))
    check(conn_, r, "copy");
}

admin::admin(const std::string& url) : conn_(connect(url)) {
  exec("SET client_min_messages = warning");
}
admin::~admin() { PQfinish(conn_); }

void admin::exec(const std::string& sql) { check(conn_, PQexec(conn_, sql.c_str()), sql); }

std::int64_t admin::count(const std::string& table) {
  PGresult* r = PQexec(conn_, ("SELECT count(*) FROM " + table).c_str());
  const std::int64_t n = PQresultStatus(r) == PGRES_TUPLES_OK ? std::stoll(PQgetvalue(r, 0, 0)) : -1;
  PQclear(r);
  return n;
}

} // namespace bench_postgres
