#pragma once
// postgres_transactional_sink: the exactly-once PostgreSQL sink, a two-phase-commit sink
// (two_phase_commit_sink.hpp) whose transactions are PostgreSQL's prepared transactions.
//
// The rows a subtask writes between two checkpoints go into one database transaction (begun
// with the first batch). At checkpoint N it is prepared as "<prefix>/<subtask>/<N>"
// (PREPARE TRANSACTION); when N completes it is committed (COMMIT PREPARED) through a second
// connection, so that the next transaction can be open meanwhile. After a restore, the
// transactions the checkpoint records as pending are committed, and every other prepared
// transaction of this prefix of a subtask s with s % parallelism == this subtask (those of
// later checkpoints, from the failed attempt) is rolled back; a fresh start rolls back this
// prefix's leftovers in the same way. A transaction without rows prepares nothing.

#include "sluice/connectors/postgres/pg_batch_writer.hpp"
#include "sluice/connectors/postgres/postgres_sink_config.hpp"
#include "sluice/connectors/postgres/prepared_transactions.hpp"
#include "sluice/operators/sinks/two_phase_commit_sink.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice {

/// A transaction as checkpoints record it.
struct postgres_transaction {
  std::string gid;             ///< the prepared transaction's name; empty: nothing prepared
  std::int64_t after = 0;      ///< the checkpoint after which it began
  std::int64_t checkpoint = 0; ///< the checkpoint it was prepared for
  SLUICE_FIELDS(gid, after, checkpoint)
};

template <class T>
class postgres_transactional_sink final
    : public two_phase_commit_sink<T, postgres_transaction> {
  using base = two_phase_commit_sink<T, postgres_transaction>;

public:
  explicit postgres_transactional_sink(std::shared_ptr<const postgres_sink_config<T>> config)
      : config_(std::move(config)) {}

  void open(const runtime_context& ctx) override {
    const auto who = ctx.task_name();
    writer_.emplace(config_->connection, config_->statement, config_->batch_size,
                    pg_batch_writer::mode::transaction, who, config_->on_refused);
    control_.emplace(config_->connection, who);
    writer_->open();
    control_->connect();
    detail::require_prepared_transactions(*control_, who);
    prefix_ = config_->transaction_prefix.empty()
                  ? detail::transaction_prefix(ctx.job_name, ctx.operator_name)
                  : config_->transaction_prefix;
    last_checkpoint_ = 0;
    if (!ctx.restored)
      roll_back_leftovers(ctx);
    base::open(ctx);
  }

  void snapshot_state(std::int64_t checkpoint_id) override {
    last_checkpoint_ = checkpoint_id;
    base::snapshot_state(checkpoint_id);
  }

  void close() override {
    base::close();
    writer_.reset();
    control_.reset();
  }

  std::unique_ptr<sink<T>> clone() const override {
    return std::make_unique<postgres_transactional_sink>(config_);
  }

protected:
  postgres_transaction begin_transaction() override { return {{}, last_checkpoint_, 0}; }

  void invoke(postgres_transaction&, T&& value) override {
    config_->binder(value, writer_->params());
    writer_->end_row();
  }

  /// At a checkpoint N: prepared as N; at the end of input (no checkpoint yet): as the next id.
  void pre_commit(postgres_transaction& txn) override {
    txn.checkpoint = last_checkpoint_ > txn.after ? last_checkpoint_ : txn.after + 1;
    const auto gid = detail::transaction_name(prefix_, this->context().subtask_index,
                                              txn.checkpoint);
    if (writer_->prepare_transaction(gid))
      txn.gid = gid;
  }

  void commit(const postgres_transaction& txn) override {
    if (!txn.gid.empty())
      resolve("COMMIT PREPARED " + detail::quoted(txn.gid));
  }

  void abort(const postgres_transaction& txn) override {
    if (txn.gid.empty())
      writer_->roll_back();
    else
      resolve("ROLLBACK PREPARED " + detail::quoted(txn.gid));
  }

  void finish_recovery(const std::vector<postgres_transaction>& recorded) override {
    for (const auto& txn : recorded)
      last_checkpoint_ = std::max({last_checkpoint_, txn.after, txn.checkpoint});
    roll_back_leftovers(this->context());
  }

private:
  /// Runs COMMIT/ROLLBACK PREPARED on the control connection, reconnecting if it was lost; a
  /// transaction the server no longer holds (resolved before) is fine.
  void resolve(const std::string& sql) {
    control_->run_reconnecting([&] { control_->exec_unless(sql, "42704"); });
  }

  void roll_back_leftovers(const runtime_context& ctx) {
    for (const auto& txn : detail::list_prepared(*control_, prefix_))
      if (txn.subtask % ctx.parallelism == ctx.subtask_index)
        resolve("ROLLBACK PREPARED " + detail::quoted(txn.gid));
  }

  std::shared_ptr<const postgres_sink_config<T>> config_;
  std::optional<pg_batch_writer> writer_;
  std::optional<pg_session> control_;
  std::string prefix_;
  std::int64_t last_checkpoint_ = 0;
};

} // namespace sluice
