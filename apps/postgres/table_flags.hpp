#pragma once
// Flags and table set-up shared by the programs writing to PostgreSQL (postgres_window_aggregate,
// kafka_word_count, kafka_window_aggregate). Errors are sluice::config_error naming the flag.

#include <sluice/connectors/postgres/postgres_sink.hpp>
#include <sluice/sluice.hpp>

#include <cstdint>
#include <string>

namespace pg_apps {

/// The value of --NAME; throws if it is missing or empty.
std::string required_flag(const sluice::environment& env, const std::string& name);

/// --NAME as an integer >= minimum, `fallback` without the flag.
std::int64_t number_flag(const sluice::environment& env, const std::string& name,
                         std::int64_t fallback, std::int64_t minimum);

/// --delivery exactly-once|at-least-once (`fallback` without the flag).
sluice::postgres_delivery delivery_flag(const sluice::environment& env,
                                        const std::string& fallback);

/// --table: a [schema.]name of letters, digits and _ (it is spliced into SQL).
std::string table_flag(const sluice::environment& env);

/// CREATE TABLE IF NOT EXISTS `table` (`columns`) on the database at `url`; the processes of a
/// cluster job may run it at once (the duplicate they may see is not an error).
void create_table(const std::string& url, const std::string& table, const std::string& columns);

} // namespace pg_apps
