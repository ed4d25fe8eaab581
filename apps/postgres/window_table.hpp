#pragma once
// The windowed part of the window examples writing to PostgreSQL (postgres_window_aggregate from
// a file, kafka_window_aggregate from a Kafka topic): per-key tumbling-window count, sum, min
// and max of events, one row per window firing in a table with the columns key text,
// window_start bigint, window_end bigint, count bigint, sum bigint, min bigint, max bigint.

#include "../window_aggregate/event.hpp"

#include <sluice/connectors/postgres/postgres_sink.hpp>
#include <sluice/sluice.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace pg_apps {

/// Where and how the windows go, from the flags --postgres --table --size --delivery
/// (default exactly-once) --batch-size (default 1000) --out-of-orderness (default 0).
struct window_table {
  std::string url;
  std::string table;
  std::int64_t size = 0;
  std::int64_t out_of_orderness = 0;
  std::int64_t batch_size = 1000;
  sluice::postgres_delivery delivery = sluice::postgres_delivery::exactly_once;
};

/// Reads the flags above (throwing sluice::config_error naming a bad one).
window_table window_table_flags(const sluice::environment& env);

/// The flags above, for the environment's flag list.
std::vector<sluice::flag_spec> window_table_flag_specs();

/// Creates the table if missing, then sends the windows of `events` (timestamps and watermarks
/// assigned) to it.
void windows_to_table(sluice::data_stream<window_aggregate::event> events,
                      const window_table& target);

} // namespace pg_apps
