// postgres_sink against the PostgreSQL server of the services fixture, driven by hand as the
// runtime drives sinks (open, write, snapshot, completion notices, crashes and restores). The
// expected table contents are computed here from the input by plain loops; the table is read
// with plain libpq.

#include "../../operators/sink_attempt.hpp"
#include "../../temp_dir.hpp"
#include "pg_test_db.hpp"
#include "sluice/connectors/postgres/postgres_sink.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

using namespace sluice;
using sluice::test::temp_dir;
using sluice::test::test_db;
using sluice::test::unique_name;

namespace {

using row = std::pair<std::string, std::int64_t>;

/// A table (k text, n bigint) of its own, with an optional column constraint on n.
struct table_fixture {
  test_db db;
  std::string table = unique_name("rows");
  std::string app = unique_name("sink");
  std::string prefix = unique_name("test");

  explicit table_fixture(const std::string& n_constraint = "") {
    db.exec("CREATE TABLE " + table + " (k text NOT NULL, n bigint " + n_constraint + ")");
  }
  ~table_fixture() {
    for (const auto& gid : db.prepared(prefix))
      db.exec("ROLLBACK PREPARED '" + gid + "'");
    db.exec("DROP TABLE " + table);
  }

  postgres_sink<row>::builder builder(postgres_delivery d, std::size_t batch) const {
    postgres_sink<row>::builder b;
    b.connection(test::postgres_url() + "?application_name=" + app)
        .statement("INSERT INTO " + table + " (k, n) VALUES ($1, $2)")
        .binder([](const row& r, pg_params& p) {
          p.add(r.first);
          p.add(r.second);
        })
        .batch_size(batch)
        .delivery(d)
        .transaction_prefix(prefix);
    return b;
  }

  /// The table's rows as "k,n", sorted.
  std::vector<std::string> contents() {
    return db.rows("SELECT k, n FROM " + table + " ORDER BY k, n");
  }
};

std::vector<row> rows_from(int from, int to) {
  std::vector<row> v;
  for (int i = from; i <= to; ++i)
    v.emplace_back("k" + std::to_string(i % 7), i);
  return v;
}

/// The rows as the table shows them: "k,n", sorted as ORDER BY k, n sorts them.
std::vector<std::string> expected(const std::vector<std::vector<row>>& parts) {
  std::vector<row> all;
  for (const auto& p : parts)
    all.insert(all.end(), p.begin(), p.end());
  std::sort(all.begin(), all.end());
  std::vector<std::string> out;
  for (const auto& r : all)
    out.push_back(r.first + "," + std::to_string(r.second));
  return out;
}

void write_all(sink<row>& s, const std::vector<row>& rows) {
  for (const auto& r : rows)
    s.write(r);
}

runtime_context plain_context() { return runtime_context{"job", "Sink: rows", 0, 1}; }

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

using attempt = sluice::test::sink_attempt<row>;

} // namespace

TEST_CASE("at-least-once: every row arrives, in batches, the last one at the end of input") {
  table_fixture t;
  auto s = t.builder(postgres_delivery::at_least_once, 7).build();
  s.open(plain_context());
  const auto input = rows_from(1, 100);
  write_all(s, input);
  CHECK(t.db.count(t.table) == 100 / 7 * 7); // the full batches only
  s.finish();
  s.close();
  CHECK(t.contents() == expected({input}));
}

TEST_CASE("an upsert statement: the table holds each key's last value") {
  table_fixture t("");
  t.db.exec("ALTER TABLE " + t.table + " ADD PRIMARY KEY (k)");
  auto b = t.builder(postgres_delivery::exactly_once, 4);
  b.statement("INSERT INTO " + t.table + " (k, n) VALUES ($1, $2) "
              "ON CONFLICT (k) DO UPDATE SET n = excluded.n");
  temp_dir dir;
  attempt a(b.build(), 1, dir.str());
  const auto input = rows_from(1, 30);
  a.write(0, input);
  a.finish(1);
  std::map<std::string, std::int64_t> last;
  for (const auto& r : input)
    last[r.first] = r.second;
  std::vector<std::string> want;
  for (const auto& [k, n] : last)
    want.push_back(k + "," + std::to_string(n));
  CHECK(t.contents() == want);
}

TEST_CASE("at-least-once: a checkpoint sends the rows written before it") {
  table_fixture t;
  auto s = t.builder(postgres_delivery::at_least_once, 1000).build();
  auto ctx = plain_context();
  ctx.checkpointing = true;
  s.open(ctx);
  const auto input = rows_from(1, 10);
  write_all(s, input);
  CHECK(t.db.count(t.table) == 0);
  s.snapshot_state(1);
  CHECK(t.contents() == expected({input}));
  s.close();
}

TEST_CASE("at-least-once: a connection lost between batches is re-established, nothing lost") {
  table_fixture t;
  auto s = t.builder(postgres_delivery::at_least_once, 1000).build();
  s.open(plain_context());
  const auto first = rows_from(1, 5), second = rows_from(6, 10);
  write_all(s, first);
  s.snapshot_state(1);
  REQUIRE(t.db.terminate(t.app, "idle") == 1);
  write_all(s, second);
  s.snapshot_state(2);
  CHECK(t.contents() == expected({first, second}));
  CHECK(t.db.rows("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + t.app +
                  "'") == std::vector<std::string>{"1"});
  s.close();
}

TEST_CASE("at-least-once: a connection that cannot be re-established fails after the attempts") {
  table_fixture t;
  const auto role = unique_name("writer");
  t.db.exec("CREATE ROLE " + role + " LOGIN");
  t.db.exec("GRANT INSERT ON " + t.table + " TO " + role);
  auto b = t.builder(postgres_delivery::at_least_once, 1000);
  auto url = test::postgres_url();
  REQUIRE_MESSAGE(url.find("sluice@") != std::string::npos, "a URL of the services fixture");
  url.replace(url.find("sluice@"), 7, role + "@");
  b.connection(url + "?application_name=" + t.app)
      .connect_retries(2, std::chrono::milliseconds(10), std::chrono::milliseconds(10));
  auto s = b.build();
  s.open(plain_context());
  const auto first = rows_from(1, 5);
  write_all(s, first);
  s.snapshot_state(1);
  t.db.exec("ALTER ROLE " + role + " NOLOGIN");
  REQUIRE(t.db.terminate(t.app, "idle") == 1);
  write_all(s, rows_from(6, 8));
  const auto error = error_of([&] { s.snapshot_state(2); });
  CHECK(error.find("cannot connect after 2 attempt(s)") != std::string::npos);
  CHECK(error.find("\"" + role + "\" is not permitted to log in") != std::string::npos);
  CHECK(t.contents() == expected({first}));
  s.close();
  t.db.exec("REVOKE ALL ON " + t.table + " FROM " + role);
  t.db.exec("DROP ROLE " + role);
}

TEST_CASE("exactly-once: rows are prepared at a checkpoint and visible once it completes") {
  table_fixture t;
  temp_dir dir;
  const auto sink = t.builder(postgres_delivery::exactly_once, 3).build();
  attempt a(sink, 2, dir.str());
  const auto p0 = rows_from(1, 10), p1 = rows_from(11, 14);
  a.write(0, p0);
  a.write(1, p1);
  a.checkpoint(1);
  CHECK(t.db.count(t.table) == 0);
  CHECK(t.db.prepared(t.prefix) ==
        std::vector<std::string>{t.prefix + "/0/1", t.prefix + "/1/1"});
  a.complete(1);
  CHECK(t.contents() == expected({p0, p1}));
  CHECK(t.db.prepared(t.prefix).empty());
  const auto later = rows_from(15, 20);
  a.write(1, later);
  a.finish(2);
  CHECK(t.contents() == expected({p0, p1, later}));
  CHECK(t.db.prepared(t.prefix).empty());
}

namespace {

/// A first attempt at parallelism 2: rows `a` before checkpoint 1, `b` before checkpoint 2
/// (neither completes), `c` after; then it crashes. Returns the handles of checkpoints 1 and 2.
std::pair<std::vector<operator_state_handle>, std::vector<operator_state_handle>>
crash_after_two_checkpoints(table_fixture& t, const std::string& dir, const std::vector<row>& a,
                            const std::vector<row>& b, const std::vector<row>& c) {
  attempt first(t.builder(postgres_delivery::exactly_once, 2).build(), 2, dir);
  first.write(0, a);
  auto chk1 = first.checkpoint(1);
  first.write(1, b);
  auto chk2 = first.checkpoint(2);
  first.write(0, c);
  first.write(1, c);
  // Subtask 0 wrote before checkpoint 1 only, subtask 1 before checkpoint 2 only.
  CHECK(t.db.prepared(t.prefix) == std::vector<std::string>{t.prefix + "/0/1", t.prefix + "/1/2"});
  return {chk1, chk2};
}

} // namespace

TEST_CASE("exactly-once restore: the checkpoint's transactions commit, later ones roll back") {
  table_fixture t;
  temp_dir dir;
  const auto a = rows_from(1, 5), b = rows_from(6, 9), c = rows_from(10, 12);
  const auto checkpoints = crash_after_two_checkpoints(t, dir.str(), a, b, c);
  CHECK(t.db.count(t.table) == 0);
  // Checkpoint 1 completed, 2 did not: 1's rows commit, 2's prepared transactions roll back.
  attempt second(t.builder(postgres_delivery::exactly_once, 2).build(), 2, dir.str(),
                 &checkpoints.first);
  CHECK(t.contents() == expected({a}));
  CHECK(t.db.prepared(t.prefix).empty());
  second.write(1, b);
  second.finish(3);
  CHECK(t.contents() == expected({a, b}));
}

TEST_CASE("exactly-once restore at another parallelism: every recorded transaction commits") {
  table_fixture t;
  temp_dir dir;
  const auto a = rows_from(1, 5), b = rows_from(6, 9), c = rows_from(10, 12);
  const auto checkpoints = crash_after_two_checkpoints(t, dir.str(), a, b, c);
  attempt second(t.builder(postgres_delivery::exactly_once, 2).build(), 1, dir.str(),
                 &checkpoints.second);
  CHECK(t.contents() == expected({a, b}));
  CHECK(t.db.prepared(t.prefix).empty());
  second.write(0, c);
  second.finish(3);
  CHECK(t.contents() == expected({a, b, c}));
}

TEST_CASE("exactly-once: a fresh start rolls back the leftovers of its prefix") {
  table_fixture t;
  temp_dir dir;
  crash_after_two_checkpoints(t, dir.str(), rows_from(1, 3), rows_from(4, 6), rows_from(7, 8));
  attempt fresh(t.builder(postgres_delivery::exactly_once, 2).build(), 2, dir.str());
  CHECK(t.db.prepared(t.prefix).empty());
  const auto d = rows_from(20, 25);
  fresh.write(0, d);
  fresh.finish(1);
  CHECK(t.contents() == expected({d}));
}

TEST_CASE("exactly-once: a connection lost inside a transaction fails the sink") {
  table_fixture t;
  temp_dir dir;
  attempt a(t.builder(postgres_delivery::exactly_once, 1).build(), 1, dir.str());
  a.write(0, rows_from(1, 2));
  REQUIRE(t.db.terminate(t.app, "idle in transaction") == 1);
  const auto error = error_of([&] { a.write(0, rows_from(3, 3)); });
  INFO(error);
  CHECK(error.find("sink 'sink (1/1)': writing a batch on PostgreSQL") != std::string::npos);
  CHECK(error.find("rolled back the rows written since the last checkpoint") != std::string::npos);
  CHECK(t.db.count(t.table) == 0);
}

TEST_CASE("a row the server refuses fails the sink with the server's message and the row") {
  SUBCASE("a constraint") {
    table_fixture t("CHECK (n >= 0)");
    auto s = t.builder(postgres_delivery::at_least_once, 3).build();
    s.open(plain_context());
    const auto error = error_of([&] { write_all(s, {{"a", 1}, {"bad", -5}, {"c", 3}}); });
    CHECK(error.find("violates check constraint") != std::string::npos);
    CHECK(error.find("the server refused row ('bad', '-5')") != std::string::npos);
    CHECK(error.find("sink 'Sink: rows (1/1)'") != std::string::npos);
    CHECK(t.db.count(t.table) == 0);
  }
  SUBCASE("a type") {
    table_fixture t;
    postgres_sink<row>::builder b = t.builder(postgres_delivery::exactly_once, 2);
    b.binder([](const row& r, pg_params& p) {
      p.add(r.first);
      p.add(r.first); // text into the bigint column
    });
    temp_dir dir;
    attempt a(b.build(), 1, dir.str());
    const auto error = error_of([&] { a.write(0, {{"x1", 1}, {"x2", 2}}); });
    CHECK(error.find("invalid input syntax for type bigint: \"x1\"") != std::string::npos);
    CHECK(error.find("row ('x1', 'x1')") != std::string::npos);
  }
}

TEST_CASE("a binder giving the wrong number of parameters is an error naming the statement") {
  table_fixture t;
  auto b = t.builder(postgres_delivery::at_least_once, 10);
  b.binder([](const row& r, pg_params& p) { p.add(r.first); });
  auto s = b.build();
  s.open(plain_context());
  const auto error = error_of([&] { s.write(row{"a", 1}); });
  CHECK(error.find("the binder gave 1 parameter(s) ('a')") != std::string::npos);
  CHECK(error.find("has 2") != std::string::npos);
}

TEST_CASE("an unreachable database at start: an error naming it after the configured attempts") {
  auto s = postgres_sink<row>::builder()
               .connection("postgresql://sluice@127.0.0.1:1/postgres")
               .statement("INSERT INTO nowhere VALUES ($1, $2)")
               .binder([](const row& r, pg_params& p) {
                 p.add(r.first);
                 p.add(r.second);
               })
               .connect_retries(3, std::chrono::milliseconds(10), std::chrono::milliseconds(20))
               .build();
  const auto error = error_of([&] { s.open(plain_context()); });
  CHECK(error.find("cannot connect after 3 attempt(s)") != std::string::npos);
  CHECK(error.find("127.0.0.1") != std::string::npos);
  CHECK(error.find("Connection refused") != std::string::npos);
}

TEST_CASE("a builder without a connection, statement or binder is refused") {
  CHECK(error_of([] { postgres_sink<row>::builder().statement("x").build(); })
            .find("no connection string") != std::string::npos);
  CHECK(error_of([] { postgres_sink<row>::builder().connection("x").build(); })
            .find("no statement") != std::string::npos);
  CHECK(error_of([] { postgres_sink<row>::builder().connection("x").statement("y").build(); })
            .find("no binder") != std::string::npos);
}

namespace {

/// Rows 1..40 with every fifth negative (refused by CHECK (n >= 0)); `good` and `bad` receive
/// the rows the table must and must not hold, and the bad rows' text as the sink shows them.
std::vector<row> mixed_rows(std::vector<row>& good, std::vector<std::string>& bad) {
  std::vector<row> all;
  for (int i = 1; i <= 40; ++i) {
    row r{"m" + std::to_string(i % 3), i % 5 == 0 ? -i : i};
    all.push_back(r);
    if (r.second < 0)
      bad.push_back("('" + r.first + "', '" + std::to_string(r.second) + "')");
    else
      good.push_back(r);
  }
  return all;
}

} // namespace

TEST_CASE("refused rows go to the on_refused side output and the others are written") {
  for (auto delivery : {postgres_delivery::at_least_once, postgres_delivery::exactly_once}) {
    CAPTURE(static_cast<int>(delivery));
    table_fixture t("CHECK (n >= 0)");
    std::vector<row> good;
    std::vector<std::string> bad;
    const auto input = mixed_rows(good, bad);
    std::vector<std::string> refused, errors;
    auto b = t.builder(delivery, 6);
    b.on_refused([&](const std::string& r, const std::string& error) {
      refused.push_back(r);
      errors.push_back(error);
    });
    temp_dir dir;
    attempt a(b.build(), 1, dir.str());
    a.write(0, input);
    a.checkpoint(1);
    a.complete(1);
    CHECK(t.contents() == expected({good}));
    CHECK(refused == bad);
    REQUIRE(errors.size() == bad.size());
    CHECK(errors.front().find("violates check constraint") != std::string::npos);
    a.finish(2);
  }
}

TEST_CASE("a COPY statement: rows with tabs, newlines and backslashes, refused rows") {
  for (auto delivery : {postgres_delivery::at_least_once, postgres_delivery::exactly_once}) {
    CAPTURE(static_cast<int>(delivery));
    table_fixture t("CHECK (n >= 0)");
    auto b = t.builder(delivery, 7);
    b.statement("COPY " + t.table + " (k, n) FROM STDIN");
    std::vector<row> input;
    const char* separators[] = {"\t", "\n", "\\"};
    for (int i = 1; i <= 30; ++i)
      input.emplace_back(std::string(1, static_cast<char>('a' + i % 3)) + separators[i % 3] + "x", i);
    SUBCASE("every row") {
      temp_dir dir;
      attempt a(b.build(), 1, dir.str());
      a.write(0, input);
      a.finish(1);
      CHECK(t.contents() == expected({input}));
    }
    SUBCASE("refused rows to on_refused") {
      std::vector<row> good;
      std::vector<std::string> bad, refused;
      const auto mixed = mixed_rows(good, bad);
      b.on_refused([&](const std::string& r, const std::string&) { refused.push_back(r); });
      temp_dir dir;
      attempt a(b.build(), 1, dir.str());
      a.write(0, mixed);
      a.finish(1);
      CHECK(t.contents() == expected({good}));
      CHECK(refused == bad);
    }
    SUBCASE("a refused row fails the sink naming it") {
      temp_dir dir;
      attempt a(b.build(), 1, dir.str());
      const auto error = error_of([&] { a.write(0, {{"ok", 1}, {"no", -2}, {"ok", 3}}); a.finish(1); });
      CHECK(error.find("the server refused row ('no', '-2')") != std::string::npos);
      CHECK(error.find("violates check constraint") != std::string::npos);
    }
  }
}
