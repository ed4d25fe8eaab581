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

#include "table_flags.hpp"
#include "window_table.hpp"
#include "../window_aggregate/event.hpp"
#include "../window_aggregate/line_io.hpp"

#include <sluice/sluice.hpp>

#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>

int main(int argc, char** argv) {
  auto flags = pg_apps::window_table_flag_specs();
  flags.insert(flags.begin(), {"input", "CSV file of key,timestamp_ms,value lines", {}, false});
  sluice::environment env{argc, argv, flags};
  try {
    const auto input = pg_apps::required_flag(env, "input");
    const auto target = pg_apps::window_table_flags(env);
    env.config().watermark_interval_ms = 0;
    using window_aggregate::event;
    auto skipped = std::make_shared<std::atomic<std::int64_t>>(0);
    auto events =
        env.from_source(window_aggregate::line_source{input}, input)
            .flat_map(window_aggregate::event_parser{"'" + input + "'", false, skipped}, "parse")
            .set_parallelism(1)
            .assign_timestamps_and_watermarks(
                sluice::watermark_strategy<event>::for_bounded_out_of_orderness(
                    std::chrono::milliseconds(target.out_of_orderness))
                    .with_timestamp_assigner(
                        [](const event& e, std::int64_t) { return e.timestamp; }))
            .set_parallelism(1);
    pg_apps::windows_to_table(events, target);
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
