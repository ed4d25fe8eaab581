#pragma once
// What a postgres_sink is configured with (see postgres_sink.hpp's builder).

#include "sluice/connectors/postgres/pg_params.hpp"
#include "sluice/connectors/postgres/pg_session.hpp"

#include <cstddef>
#include <functional>
#include <string>

namespace sluice {

enum class postgres_delivery {
  at_least_once, ///< batches flushed at each checkpoint: rows may repeat after a failure
  exactly_once   ///< one prepared transaction per subtask and checkpoint
};

template <class T>
struct postgres_sink_config {
  postgres_connection_options connection;
  std::string statement; ///< INSERT or upsert with parameters $1..$n
  /// Appends the parameters of one record, in the order of $1..$n.
  std::function<void(const T&, pg_params&)> binder;
  std::size_t batch_size = 1000; ///< rows per round trip
  postgres_delivery delivery = postgres_delivery::at_least_once;
  std::string transaction_prefix; ///< exactly-once; empty: "sluice/<job>/<operator>"
  /// Rows the server refuses go here (the row's values, the server's message) instead of
  /// failing the job; empty: they fail it.
  std::function<void(const std::string& row, const std::string& error)> on_refused;
};

} // namespace sluice
