#pragma once
// The baseline of bench_postgres: libpq by hand (no Sluice code), and a connection for setup.

#include <cstdint>
#include <string>
#include <vector>

struct pg_conn;

namespace bench_postgres {

/// A prepared two-parameter statement run for batches of rows, each batch pipelined (one
/// round trip) in its own implicit transaction.
class raw_inserts {
public:
  raw_inserts(const std::string& url, const std::string& statement);
  ~raw_inserts();
  raw_inserts(const raw_inserts&) = delete;
  raw_inserts& operator=(const raw_inserts&) = delete;

  /// A plain command (BEGIN, COMMIT).
  void exec(const std::string& sql);
  void begin_batch();
  void send(const std::string& a, const std::string& b);
  /// Sends the batch and checks every row's result; throws std::runtime_error on an error.
  void end_batch();

private:
  pg_conn* conn_;
  std::size_t sent_ = 0;
};

/// Batches of rows sent with COPY ... FROM STDIN (text format), each batch its own transaction.
class raw_copy {
public:
  explicit raw_copy(const std::string& url);
  ~raw_copy();
  raw_copy(const raw_copy&) = delete;
  raw_copy& operator=(const raw_copy&) = delete;
  /// Runs `copy_sql` with `text` (tab-separated lines); throws std::runtime_error on an error.
  void batch(const std::string& copy_sql, const std::string& text);

private:
  pg_conn* conn_;
};

/// Plain commands for setting up and checking the tables.
class admin {
public:
  explicit admin(const std::string& url);
  ~admin();
  admin(const admin&) = delete;
  admin& operator=(const admin&) = delete;
  void exec(const std::string& sql);
  std::int64_t count(const std::string& table);

private:
  pg_conn* conn_;
};

} // namespace bench_postgres
