#pragma once
// The PostgreSQL server of the `services` ctest fixture (scripts/services.sh), reached with
// plain libpq, independently of the sink under test: each test creates its own table.

#include <libpq-fe.h>

#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

namespace sluice::test {

/// POSTGRES_URL from the environment, else from the file $SLUICE_SERVICES_ENV names.
inline std::string postgres_url() {
  if (const char* url = std::getenv("POSTGRES_URL"))
    return url;
  const char* env_file = std::getenv("SLUICE_SERVICES_ENV");
  if (!env_file)
    throw std::runtime_error("neither POSTGRES_URL nor SLUICE_SERVICES_ENV is set (run the tests "
                             "through ctest, whose services fixture starts the server)");
  std::ifstream in(env_file);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("POSTGRES_URL=", 0) == 0)
      return line.substr(13);
  throw std::runtime_error(std::string("no POSTGRES_URL line in ") + env_file);
}

/// A name unique to this process and call, for tables, prefixes and application names.
inline std::string unique_name(const std::string& base) {
  static std::atomic<int> counter{0};
  return base + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
}

class test_db {
public:
  test_db() : conn_(PQconnectdb(postgres_url().c_str())) {
    REQUIRE_MESSAGE(PQstatus(conn_) == CONNECTION_OK, PQerrorMessage(conn_));
  }
  ~test_db() { PQfinish(conn_); }
  test_db(const test_db&) = delete;
  test_db& operator=(const test_db&) = delete;

  /// The rows of `sql`, each as its columns' text joined by ','.
  std::vector<std::string> rows(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    const auto status = PQresultStatus(r);
    const std::string error = PQresultErrorMessage(r);
    std::vector<std::string> out;
    for (int i = 0; i < PQntuples(r); ++i) {
      std::string row;
      for (int j = 0; j < PQnfields(r); ++j)
        row += (j ? "," : "") + std::string(PQgetvalue(r, i, j));
      out.push_back(row);
    }
    PQclear(r);
    const std::string context = sql + ": " + error;
    REQUIRE_MESSAGE((status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK), context);
    return out;
  }
  void exec(const std::string& sql) { rows(sql); }
  long count(const std::string& table) { return std::stol(rows("SELECT count(*) FROM " + table)[0]); }
  /// The names of the prepared transactions starting with `prefix`, sorted.
  std::vector<std::string> prepared(const std::string& prefix) {
    return rows("SELECT gid FROM pg_prepared_xacts WHERE gid LIKE '" + prefix + "/%' ORDER BY gid");
  }
  /// Ends the server sessions whose application_name is `app` and whose state is `state`
  /// (waiting until they are gone); returns how many there were.
  int terminate(const std::string& app, const std::string& state) {
    return static_cast<int>(rows("SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                                 "WHERE application_name = '" + app + "' AND state = '" + state +
                                 "'")
                                .size());
  }

private:
  PGconn* conn_;
};

} // namespace sluice::test
