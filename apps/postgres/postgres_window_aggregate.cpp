// postgres_window_aggregate: per-key tumbling-window count, sum, min and max of
// `key,timestamp_ms,value` lines, written as rows to a PostgreSQL table.
//
//   postgres_window_aggregate --input PATH --postgres URL --table NAME --size MS
//       [--delivery exactly-once|at-least-once] [--batch-size N] [--out-of-orderness MS]
//       [common flags]
//
// The table (created if missing) has the columns key text, window_start bigint,
// window_end bigint, count bigint, sum bigint, min bigint, max bigint: one row per window
// firing, as window_aggregate's output lines. With --delivery exactly-once (the default) and
// checkpointing, each firing's row is committed exactly once through failures and restores.

#include "../window_aggregate/aggregation.hpp"
#include "../window_aggregate/event.hpp"
#include "../window_aggregate/line_io.hpp"

#include <sluice/connectors/postgres/pg_session.hpp>
#include <sluice/connectors/postgres/postgres_sink.hpp>
#include <sluice/sluice.hpp>

#include <atomic>
#include <charconv>
#include <chrono>
#include <iostream>
#include <memory>
#include <regex>
#include <string>

namespace {

using namespace window_aggregate;

std::int64_t number_flag(const sluice::environment& env, const std::string& name,
                         std::int64_t fallback, std::int64_t minimum) {
  auto text = env.flag(name);
  if (!text)
    return fallback;
  std::int64_t value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (text->empty() || ec != std::errc() || ptr != end || value < minimum)
    throw sluice::config_error("flag --" + name + ": '" + *text + "' is not a number >= " +
                               std::to_string(minimum));
  return value;
}

std::string required_flag(const sluice::environment& env, const std::string& name) {
  auto value = env.flag(name);
  if (!value || value->empty())
    throw sluice::config_error("flag --" + name + " is required");
  return *value;
}

sluice::postgres_delivery delivery_of(const sluice::environment& env) {
  const auto d = env.flag("delivery").value_or("exactly-once");
  if (d == "exactly-once")
    return sluice::postgres_delivery::exactly_once;
  if (d == "at-least-once")
    return sluice::postgres_delivery::at_least_once;
  throw sluice::config_error("flag --delivery: '" + d +
                             "' is not exactly-once or at-least-once");
}

std::string table_of(const sluice::environment& env) {
  auto table = required_flag(env, "table");
  if (!std::regex_match(table, std::regex("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?")))
    throw sluice::config_error("flag --table: '" + table +
                               "' is not a table name ([schema.]name of letters, digits, _)");
  return table;
}

void create_table(const std::string& url, const std::string& table) {
  sluice::postgres_connection_options options;
  options.conninfo = url;
  options.connect_attempts = 2;
  sluice::pg_session session(options, "create table " + table);
  session.connect();
  session.exec("SET client_min_messages = warning");
  try {
    session.exec("CREATE TABLE IF NOT EXISTS " + table +
                 " (key text, window_start bigint, window_end bigint, count bigint, sum bigint, "
                 "min bigint, max bigint)");
  } catch (const sluice::postgres_error& e) {
    // Processes of one cluster job creating it at once: one wins, the others see a duplicate.
    if (e.sqlstate() != "23505" && e.sqlstate() != "42P07")
      throw;
  }
}

} // namespace

int main(int argc, char** argv) {
  sluice::environment env{
      argc, argv,
      {{"input", "CSV file of key,timestamp_ms,value lines", {}, false},
       {"postgres", "PostgreSQL connection URL (postgresql://user@host:port/db)", {}, false},
       {"table", "table for the rows (created if missing)", {}, false},
       {"size", "tumbling window size in ms", {}, false},
       {"delivery", "exactly-once (default) or at-least-once", {}, false},
       {"batch-size", "rows per round trip (default 1000)", {}, false},
       {"out-of-orderness", "watermark delay in ms (default 0)", {}, false}}};
  try {
    const auto input = required_flag(env, "input");
    const auto url = required_flag(env, "postgres");
    const auto table = table_of(env);
    const auto size = number_flag(env, "size", 0, 1);
    if (size == 0)
      throw sluice::config_error("flag --size is required");
    const auto out_of_orderness = number_flag(env, "out-of-orderness", 0, 0);
    const auto batch_size = number_flag(env, "batch-size", 1000, 1);
    const auto delivery = delivery_of(env);
    env.config().watermark_interval_ms = 0;
    create_table(url, table);

    auto sink = sluice::postgres_sink<window_line>::builder()
                    .connection(url)
                    .statement("INSERT INTO " + table +
                               " (key, window_start, window_end, count, sum, min, max) VALUES "
                               "($1, $2, $3, $4, $5, $6, $7)")
                    .binder([](const window_line& w, sluice::pg_params& p) {
                      std::apply([&](const auto&... v) { (p.add(v), ...); }, w);
                    })
                    .batch_size(static_cast<std::size_t>(batch_size))
                    .delivery(delivery)
                    .build();
    auto skipped = std::make_shared<std::atomic<std::int64_t>>(0);
    env.from_source(line_source{input}, input)
        .flat_map(event_parser{false, skipped}, "parse")
        .set_parallelism(1)
        .assign_timestamps_and_watermarks(
            sluice::watermark_strategy<event>::for_bounded_out_of_orderness(
                std::chrono::milliseconds(out_of_orderness))
                .with_timestamp_assigner([](const event& e, std::int64_t) { return e.timestamp; }))
        .set_parallelism(1)
        .key_by([](const event& e) { return e.key; })
        .window(sluice::tumbling_windows{size, 0})
        .aggregate(stats_aggregate{}, add_window_bounds{}, "count/sum/min/max")
        .sink_to(std::move(sink), "table " + table);
    auto result = env.execute("postgres window aggregate");
    if (!result.ok())
      std::cerr << "postgres_window_aggregate: error: " << result.error() << '\n';
    return result.exit_code();
  } catch (const sluice::config_error& e) {
    std::cerr << "postgres_window_aggregate: error: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "postgres_window_aggregate: error: " << e.what() << '\n';
    return 1;
  }
}
