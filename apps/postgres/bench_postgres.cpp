// bench_postgres: the PostgreSQL sink's throughput beside raw libpq doing the same inserts in
// the same run, best of interleaved repeats.
//
//   bench_postgres [--postgres URL] [--rows N] [--batch-size B] [--checkpoint-rows C]
//                  [--repeat R] [--json]
//
// Each run inserts N rows (key text, n bigint) into a fresh table through the prepared
// statement INSERT INTO t (k, n) VALUES ($1, $2):
//  - raw batches: libpq by hand, B rows pipelined per round trip, each batch its own
//    transaction; the baseline of
//  - at-least-once: postgres_sink with batch size B, driven as the runtime drives a sink;
//  - raw transactions: libpq by hand, the same batches in one transaction per C rows
//    (BEGIN ... COMMIT); the baseline of
//  - exactly-once: the sink with a checkpoint (PREPARE, then COMMIT PREPARED) every C rows;
//  - raw COPY: libpq by hand, each batch of B rows one COPY ... FROM STDIN; the baseline of
//  - COPY sink: the at-least-once sink with the statement COPY t (k, n) FROM STDIN.
// URL defaults to $POSTGRES_URL (scripts/services.sh start prints it).

#include "raw_inserts.hpp"

#include <sluice/connectors/postgres/postgres_sink.hpp>
#include <sluice/state/operator_state_backend.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <utility>

namespace {

using row = std::pair<std::string, std::int64_t>;

struct options {
  std::string url;
  std::int64_t rows = 200000;
  std::int64_t batch = 1000;
  std::int64_t checkpoint_rows = 20000;
  int repeat = 3;
  bool json = false;
};

std::int64_t number(const char* flag, const char* text) {
  char* end = nullptr;
  const long long v = std::strtoll(text, &end, 10);
  if (*text == '\0' || *end != '\0' || v < 1) {
    std::cerr << "bench_postgres: error: flag " << flag << ": '" << text
              << "' is not a number >= 1\n";
    std::exit(2);
  }
  return v;
}

options parse(int argc, char** argv) {
  options o;
  if (const char* url = std::getenv("POSTGRES_URL"))
    o.url = url;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::cerr << "bench_postgres: error: flag " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--postgres")
      o.url = value();
    else if (a == "--rows")
      o.rows = number("--rows", value());
    else if (a == "--batch-size")
      o.batch = number("--batch-size", value());
    else if (a == "--checkpoint-rows")
      o.checkpoint_rows = number("--checkpoint-rows", value());
    else if (a == "--repeat")
      o.repeat = static_cast<int>(number("--repeat", value()));
    else if (a == "--json")
      o.json = true;
    else {
      std::cerr << "bench_postgres: error: unknown flag '" << a << "'\n";
      std::exit(2);
    }
  }
  if (o.url.empty()) {
    std::cerr << "bench_postgres: error: no --postgres URL and no POSTGRES_URL\n";
    std::exit(2);
  }
  return o;
}

row row_of(std::int64_t i) { return {"key" + std::to_string(i % 1000), i}; }

/// Seconds to write every row through a postgres_sink with `statement` (a checkpoint every
/// `checkpoint_rows` rows).
double run_sink(const options& o, const std::string& statement, sluice::postgres_delivery d) {
  auto sink = sluice::postgres_sink<row>::builder()
                  .connection(o.url)
                  .statement(statement)
                  .binder([](const row& r, sluice::pg_params& p) {
                    p.add(r.first);
                    p.add(r.second);
                  })
                  .batch_size(static_cast<std::size_t>(o.batch))
                  .delivery(d)
                  .transaction_prefix("bench_postgres")
                  .build();
  sluice::runtime_context ctx{"bench", "Sink: bench", 0, 1};
  sluice::operator_state_backend state(ctx.task_name());
  ctx.operator_state = &state;
  ctx.checkpointing = true;
  const auto start = std::chrono::steady_clock::now();
  sink.open(ctx);
  std::int64_t checkpoint = 0;
  for (std::int64_t i = 0; i < o.rows; ++i) {
    sink.write(row_of(i));
    if ((i + 1) % o.checkpoint_rows == 0) {
      sink.snapshot_state(++checkpoint);
      sink.notify_checkpoint_complete(checkpoint);
    }
  }
  sink.finish();
  sink.snapshot_state(++checkpoint);
  sink.notify_checkpoint_complete(checkpoint);
  sink.close();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Seconds to write every row with libpq by hand; with `transactions`, in one transaction per
/// `checkpoint_rows` rows.
double run_raw(const options& o, const std::string& table, bool transactions) {
  const auto start = std::chrono::steady_clock::now();
  bench_postgres::raw_inserts raw(o.url, "INSERT INTO " + table + " (k, n) VALUES ($1, $2)");
  bool open = false;
  for (std::int64_t i = 0; i < o.rows; i += o.batch) {
    if (transactions && !open) {
      raw.exec("BEGIN");
      open = true;
    }
    raw.begin_batch();
    for (std::int64_t j = i; j < std::min(o.rows, i + o.batch); ++j) {
      const auto r = row_of(j);
      raw.send(r.first, std::to_string(r.second));
    }
    raw.end_batch();
    const auto written = std::min(o.rows, i + o.batch);
    if (open && (written % o.checkpoint_rows < o.batch || written == o.rows)) {
      raw.exec("COMMIT");
      open = false;
    }
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double run_raw_copy(const options& o, const std::string& copy_sql) {
  const auto start = std::chrono::steady_clock::now();
  bench_postgres::raw_copy raw(o.url);
  std::string text;
  for (std::int64_t i = 0; i < o.rows; i += o.batch) {
    text.clear();
    for (std::int64_t j = i; j < std::min(o.rows, i + o.batch); ++j) {
      const auto r = row_of(j);
      text += r.first + '\t' + std::to_string(r.second) + '\n';
    }
    raw.batch(copy_sql, text);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

int main(int argc, char** argv) {
  const auto o = parse(argc, argv);
  try {
    const std::string table = "bench_postgres_rows";
    bench_postgres::admin db(o.url);
    const std::string insert = "INSERT INTO " + table + " (k, n) VALUES ($1, $2)";
    const std::string copy = "COPY " + table + " (k, n) FROM STDIN";
    double raw = 1e300, raw_txn = 1e300, alo = 1e300, eo = 1e300, raw_copy = 1e300,
           copy_sink = 1e300;
    for (int r = 0; r < o.repeat; ++r) {
      auto fresh = [&] {
        db.exec("DROP TABLE IF EXISTS " + table);
        db.exec("CREATE TABLE " + table + " (k text, n bigint)");
      };
      auto checked = [&](double seconds, const char* what) {
        const auto n = db.count(table);
        if (n != o.rows)
          throw std::runtime_error(std::string(what) + " wrote " + std::to_string(n) +
                                   " rows, not " + std::to_string(o.rows));
        return seconds;
      };
      fresh();
      raw = std::min(raw, checked(run_raw(o, table, false), "raw libpq"));
      fresh();
      raw_txn = std::min(raw_txn, checked(run_raw(o, table, true), "raw libpq transactions"));
      fresh();
      alo = std::min(alo, checked(run_sink(o, insert, sluice::postgres_delivery::at_least_once),
                                  "the at-least-once sink"));
      fresh();
      eo = std::min(eo, checked(run_sink(o, insert, sluice::postgres_delivery::exactly_once),
                                "the exactly-once sink"));
      fresh();
      raw_copy = std::min(raw_copy, checked(run_raw_copy(o, copy), "raw COPY"));
      fresh();
      copy_sink = std::min(copy_sink,
                           checked(run_sink(o, copy, sluice::postgres_delivery::at_least_once),
                                   "the COPY sink"));
    }
    db.exec("DROP TABLE IF EXISTS " + table);
    const double n = static_cast<double>(o.rows);
    std::cout << "rows " << o.rows << ", batch " << o.batch << ", checkpoint every "
              << o.checkpoint_rows << " rows, best of " << o.repeat << "\n"
              << "raw libpq batches:       " << static_cast<std::int64_t>(n / raw) << " rows/s\n"
              << "at-least-once sink:      " << static_cast<std::int64_t>(n / alo) << " rows/s ("
              << raw / alo << " of raw batches)\n"
              << "raw libpq transactions:  " << static_cast<std::int64_t>(n / raw_txn)
              << " rows/s\n"
              << "exactly-once sink:       " << static_cast<std::int64_t>(n / eo) << " rows/s ("
              << raw_txn / eo << " of raw transactions)\n"
              << "raw libpq COPY:          " << static_cast<std::int64_t>(n / raw_copy)
              << " rows/s\n"
              << "COPY sink:               " << static_cast<std::int64_t>(n / copy_sink)
              << " rows/s (" << raw_copy / copy_sink << " of raw COPY)\n";
    if (o.json)
      std::cout << "{\"rows\":" << o.rows << ",\"batch_size\":" << o.batch
                << ",\"checkpoint_rows\":" << o.checkpoint_rows
                << ",\"baseline_rows_per_s\":" << n / raw
                << ",\"baseline_transactions_rows_per_s\":" << n / raw_txn
                << ",\"at_least_once_rows_per_s\":" << n / alo
                << ",\"exactly_once_rows_per_s\":" << n / eo
                << ",\"ratio_at_least_once\":" << raw / alo
                << ",\"ratio_exactly_once\":" << raw_txn / eo
                << ",\"baseline_copy_rows_per_s\":" << n / raw_copy
                << ",\"copy_rows_per_s\":" << n / copy_sink
                << ",\"ratio_copy\":" << raw_copy / copy_sink << "}\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_postgres: error: " << e.what() << '\n';
    return 1;
  }
}
