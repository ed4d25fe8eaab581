#include "table_flags.hpp"

#include <sluice/connectors/postgres/pg_session.hpp>

#include <charconv>
#include <regex>

namespace pg_apps {

std::string required_flag(const sluice::environment& env, const std::string& name) {
  auto value = env.flag(name);
  if (!value || value->empty())
    throw sluice::config_error("flag --" + name + " is required");
  return *value;
}

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

sluice::postgres_delivery delivery_flag(const sluice::environment& env,
                                        const std::string& fallback) {
  const auto d = env.flag("delivery").value_or(fallback);
  if (d == "exactly-once")
    return sluice::postgres_delivery::exactly_once;
  if (d == "at-least-once")
    return sluice::postgres_delivery::at_least_once;
  throw sluice::config_error("flag --delivery: '" + d +
                             "' is not exactly-once or at-least-once (PostgreSQL output)");
}

std::string table_flag(const sluice::environment& env) {
  auto table = required_flag(env, "table");
  if (!std::regex_match(table, std::regex("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?")))
    throw sluice::config_error("flag --table: '" + table +
                               "' is not a table name ([schema.]name of letters, digits, _)");
  return table;
}

void create_table(const std::string& url, const std::string& table, const std::string& columns) {
  sluice::postgres_connection_options options;
  options.conninfo = url;
  options.connect_attempts = 2;
  sluice::pg_session session(options, "create table " + table);
  session.connect();
  session.exec("SET client_min_messages = warning");
  try {
    session.exec("CREATE TABLE IF NOT EXISTS " + table + " (" + columns + ")");
  } catch (const sluice::postgres_error& e) {
    // Processes of one cluster job creating it at once: one wins, the others see a duplicate.
    if (e.sqlstate() != "23505" && e.sqlstate() != "42P07")
      throw;
  }
}

} // namespace pg_apps
