#pragma once
// postgres_sink: writes records to PostgreSQL through an INSERT (or upsert) statement whose
// parameters a binder takes from each record; rows travel in pipelined batches (one round trip
// per batch). Delivery:
//  - at-least-once: a batch is sent when full and at every checkpoint and the end of input, so
//    a checkpoint completes only once its rows are stored; a lost connection is re-established
//    (with backoff) and the batch sent again;
//  - exactly-once: postgres_transactional_sink (prepared transactions committed with the
//    checkpoints); needs max_prepared_transactions > 0 on the server.
// A row the server refuses fails the job with the server's message and the row's values, or
// goes to the on_refused side output if one is given.
//
//   env...sink_to(sluice::postgres_sink<row>::builder()
//                     .connection("postgresql://user@host:5432/db")
//                     .statement("INSERT INTO counts (word, n) VALUES ($1, $2)")
//                     .binder([](const row& r, sluice::pg_params& p) { p.add(r.word); p.add(r.n); })
//                     .delivery(sluice::postgres_delivery::exactly_once)
//                     .build(), "counts table");

#include "sluice/connectors/postgres/pg_batch_writer.hpp"
#include "sluice/connectors/postgres/postgres_sink_config.hpp"
#include "sluice/connectors/postgres/postgres_transactional_sink.hpp"
#include "sluice/operators/sinks/sink.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace sluice {

template <class T>
class postgres_sink final : public sink<T> {
public:
  class builder;

  explicit postgres_sink(std::shared_ptr<const postgres_sink_config<T>> config)
      : config_(std::move(config)) {}
  postgres_sink(const postgres_sink& other) : sink<T>(other), config_(other.config_) {}
  postgres_sink& operator=(const postgres_sink&) = delete;

  void open(const runtime_context& ctx) override {
    if (config_->delivery == postgres_delivery::exactly_once) {
      exactly_once_ = std::make_unique<postgres_transactional_sink<T>>(config_);
      exactly_once_->open(ctx);
      return;
    }
    writer_.emplace(config_->connection, config_->statement, config_->batch_size,
                    pg_batch_writer::mode::batches, ctx.task_name(), config_->on_refused);
    writer_->open();
  }
  void write(T&& value) override { write(static_cast<const T&>(value)); }
  void write(const T& value) override {
    if (exactly_once_)
      return exactly_once_->write(value);
    config_->binder(value, writer_->params());
    writer_->end_row();
  }
  void finish() override { exactly_once_ ? exactly_once_->finish() : writer_->flush(); }
  void close() override {
    if (exactly_once_)
      exactly_once_->close();
    writer_.reset();
  }
  void snapshot_state(std::int64_t id) override {
    exactly_once_ ? exactly_once_->snapshot_state(id) : writer_->flush();
  }
  void notify_checkpoint_complete(std::int64_t id) override {
    if (exactly_once_)
      exactly_once_->notify_checkpoint_complete(id);
  }
  void notify_checkpoint_aborted(std::int64_t id) override {
    if (exactly_once_)
      exactly_once_->notify_checkpoint_aborted(id);
  }
  std::unique_ptr<sink<T>> clone() const override { return std::make_unique<postgres_sink>(*this); }

  const postgres_sink_config<T>& config() const { return *config_; }

private:
  std::shared_ptr<const postgres_sink_config<T>> config_;
  std::optional<pg_batch_writer> writer_;
  std::unique_ptr<sink<T>> exactly_once_;
};

/// Builds a postgres_sink; build() checks that the connection, statement and binder are set.
template <class T>
class postgres_sink<T>::builder {
public:
  builder& connection(std::string conninfo) {
    config_.connection.conninfo = std::move(conninfo);
    return *this;
  }
  builder& statement(std::string sql) {
    config_.statement = std::move(sql);
    return *this;
  }
  builder& binder(std::function<void(const T&, pg_params&)> b) {
    config_.binder = std::move(b);
    return *this;
  }
  /// Rows per round trip (default 1000).
  builder& batch_size(std::size_t rows) {
    config_.batch_size = rows;
    return *this;
  }
  builder& delivery(postgres_delivery d) {
    config_.delivery = d;
    return *this;
  }
  /// Attempts per (re)connection and the backoff between them (doubled up to `max_backoff`).
  builder& connect_retries(int attempts, std::chrono::milliseconds initial_backoff,
                           std::chrono::milliseconds max_backoff) {
    config_.connection.connect_attempts = attempts;
    config_.connection.initial_backoff = initial_backoff;
    config_.connection.max_backoff = max_backoff;
    return *this;
  }
  /// Seconds per connection attempt (libpq's connect_timeout; default 5).
  builder& connect_timeout(int seconds) {
    config_.connection.connect_timeout_s = seconds;
    return *this;
  }
  /// Exactly-once: the prefix of the prepared transactions' names (default from the job's and
  /// the sink's names; two sinks writing to one database need different ones).
  builder& transaction_prefix(std::string prefix) {
    config_.transaction_prefix = std::move(prefix);
    return *this;
  }

  /// The side output of refused rows: `fn(row, error)` gets each row the server refuses (its
  /// values as "('a', '1')" and the server's message) and the job goes on; called on the
  /// sink subtask's thread. Without it a refused row fails the job. Exactly-once, each batch
  /// then begins with a savepoint (one more round trip per batch).
  builder& on_refused(std::function<void(const std::string& row, const std::string& error)> fn) {
    config_.on_refused = std::move(fn);
    return *this;
  }

  postgres_sink build() const {
    if (config_.connection.conninfo.empty())
      throw std::invalid_argument("postgres_sink: no connection string (builder.connection)");
    if (config_.statement.empty())
      throw std::invalid_argument("postgres_sink: no statement (builder.statement)");
    if (!config_.binder)
      throw std::invalid_argument("postgres_sink: no binder (builder.binder)");
    if (config_.batch_size == 0)
      throw std::invalid_argument("postgres_sink: batch_size must be at least 1");
    if (config_.transaction_prefix.size() > 150)
      throw std::invalid_argument("postgres_sink: transaction_prefix longer than 150 bytes");
    return postgres_sink(std::make_shared<const postgres_sink_config<T>>(config_));
  }

private:
  postgres_sink_config<T> config_;
};

} // namespace sluice
