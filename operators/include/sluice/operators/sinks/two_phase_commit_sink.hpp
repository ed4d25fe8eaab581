#pragma once
// two_phase_commit_sink: the base of exactly-once sinks (Flink's TwoPhaseCommitSinkFunction).
//
// Records go into the current transaction. When the subtask takes checkpoint N, the current
// transaction is pre-committed (flushed, made durable, but not visible), recorded as pending
// for N in operator state, and a new one begins. When N completes, every pending transaction
// of a checkpoint <= N is committed (made visible), in order. A failure before that loses
// nothing: the restored job commits the pending transactions its checkpoint recorded (commit
// must therefore be idempotent: it may run again for a transaction already committed) and
// aborts the one that was current (abort is idempotent too); the source then replays what
// followed the checkpoint. An aborted checkpoint changes nothing: its pending transactions
// commit with the next checkpoint that completes.
//
// The transactions are kept in union list state, so that after a restore at another
// parallelism every subtask sees every recorded transaction: the transactions of old subtask s
// are committed and aborted by new subtask s % parallelism, in the order s recorded them, and
// finish_recovery() gets the whole list (to tell leftovers of the failed attempt from
// transactions another subtask resolves).
//
// End of input: with checkpointing off (runtime_context::checkpointing false) the sink is a
// plain sink: finish() pre-commits and commits everything, and close() without finish() (a
// failed job) aborts the current transaction. With checkpointing on, finish() pre-commits the
// last transaction and keeps it until a checkpoint taken after the end of input completes
// (Flink's final checkpoint): the runtime must take one before closing the sink, or the last
// transaction stays uncommitted (close() then logs a warning).

#include "sluice/operators/core/logging.hpp"
#include "sluice/operators/sinks/sink.hpp"
#include "sluice/state/serializer_fields.hpp"

#include <cstdint>
#include <exception>
#include <limits>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

namespace sluice {
namespace detail {

/// A transaction as the sink's operator state records it.
template <class Txn>
struct transaction_record {
  std::int32_t subtask = 0;       ///< the subtask that began it
  std::int64_t checkpoint_id = 0; ///< the checkpoint that recorded it
  bool pre_committed = false;     ///< pending: commit on restore; else the current one: abort
  Txn transaction{};
  SLUICE_FIELDS(subtask, checkpoint_id, pre_committed, transaction)
};

} // namespace detail

/// Base of a sink of records of type T writing through transactions of type Txn (a value
/// naming the transaction, with a serializer<Txn>: it is stored in checkpoints).
template <class T, class Txn>
class two_phase_commit_sink : public sink<T> {
public:
  /// Recovers the transactions of a restored checkpoint (ctx.restored), then begins one.
  void open(const runtime_context& ctx) override {
    ctx_ = ctx;
    current_.reset();
    pending_.clear();
    ended_.reset();
    input_ended_ = false;
    state_ = ctx.operator_state ? &ctx.operator_state->get_union_list_state(
                                      list_state_descriptor<record>("transactions"))
                                : nullptr;
    if (ctx.restored)
      recover();
    current_ = begin_transaction();
  }

  void write(T&& value) override {
    if (!current_)
      throw std::logic_error("sink '" + ctx_.task_name() +
                             "' has no open transaction (written before open or after the end "
                             "of input)");
    invoke(*current_, std::move(value));
  }

  /// End of input: see the file comment.
  void finish() override {
    input_ended_ = true;
    if (!current_)
      return;
    pre_commit(*current_);
    if (ctx_.checkpointing) {
      ended_ = std::move(current_);
    } else {
      commit_pending_up_to(max_checkpoint_id);
      commit(*current_);
    }
    current_.reset();
  }

  /// Aborts the current transaction, if any (best effort: a failure is logged).
  void close() override {
    if (current_) {
      try {
        abort(*current_);
      } catch (const std::exception& e) {
        log()->warn("sink '{}': aborting its open transaction failed: {}", ctx_.task_name(),
                    e.what());
      }
      current_.reset();
    }
    if (ended_ || !pending_.empty())
      log()->warn("sink '{}' closed with {} pre-committed transaction(s) not committed: no "
                  "checkpoint completed after them",
                  ctx_.task_name(), pending_.size() + (ended_ ? 1 : 0));
  }

  /// Pre-commits the current transaction as pending for `checkpoint_id`, begins the next one
  /// (unless the input ended) and records both in operator state.
  void snapshot_state(std::int64_t checkpoint_id) override {
    auto& state = checked_state();
    if (current_) {
      pre_commit(*current_);
      pending_.emplace_back(checkpoint_id, std::move(*current_));
      current_.reset();
    }
    if (ended_) {
      pending_.emplace_back(checkpoint_id, std::move(*ended_));
      ended_.reset();
    }
    if (!input_ended_)
      current_ = begin_transaction();
    std::vector<record> records;
    for (auto& [id, txn] : pending_)
      records.push_back({ctx_.subtask_index, id, true, txn});
    if (current_)
      records.push_back({ctx_.subtask_index, checkpoint_id, false, *current_});
    state.update(records);
  }

  /// Commits, in order, every pending transaction of a checkpoint <= checkpoint_id.
  void notify_checkpoint_complete(std::int64_t checkpoint_id) override {
    commit_pending_up_to(checkpoint_id);
  }

  /// Keeps the pending transactions: they commit with the next checkpoint that completes.
  void notify_checkpoint_aborted(std::int64_t) override {}

protected:
  /// A new transaction (called in open(), at each checkpoint, and never after the end of input).
  virtual Txn begin_transaction() = 0;
  /// Writes `value` into transaction `txn`.
  virtual void invoke(Txn& txn, T&& value) = 0;
  /// Makes `txn` durable, ready to commit; nothing is written to it afterwards.
  virtual void pre_commit(Txn& txn) = 0;
  /// Makes a pre-committed `txn` visible. Idempotent: it may run again after a restore.
  virtual void commit(const Txn& txn) = 0;
  /// Discards `txn` (pre-committed or not). Idempotent.
  virtual void abort(const Txn& txn) = 0;
  /// After a restore, once this subtask committed and aborted its share: every transaction
  /// the restored state records, of all old subtasks (to clean up what none of them names).
  virtual void finish_recovery(const std::vector<Txn>& /*recorded*/) {}

  const runtime_context& context() const { return ctx_; }

private:
  using record = detail::transaction_record<Txn>;
  static constexpr std::int64_t max_checkpoint_id = std::numeric_limits<std::int64_t>::max();

  list_state<record>& checked_state() const {
    if (!state_)
      throw std::logic_error("sink '" + ctx_.task_name() +
                             "' has no operator state backend to checkpoint or restore its "
                             "transactions in (runtime_context::operator_state)");
    return *state_;
  }

  void commit_pending_up_to(std::int64_t checkpoint_id) {
    while (!pending_.empty() && pending_.front().first <= checkpoint_id) {
      commit(pending_.front().second);
      pending_.erase(pending_.begin());
    }
  }

  /// Commits this subtask's share of the restored pending transactions, aborts its share of
  /// the restored current ones (see the file comment), then calls finish_recovery.
  void recover() {
    auto& state = checked_state();
    const auto records = state.get();
    auto mine = [&](const record& r) { return r.subtask % ctx_.parallelism == ctx_.subtask_index; };
    for (const auto& r : records)
      if (r.pre_committed && mine(r))
        commit(r.transaction);
    for (const auto& r : records)
      if (!r.pre_committed && mine(r))
        abort(r.transaction);
    std::vector<Txn> recorded;
    for (const auto& r : records)
      recorded.push_back(r.transaction);
    state.clear();
    finish_recovery(recorded);
  }

  runtime_context ctx_;
  list_state<record>* state_ = nullptr;
  std::optional<Txn> current_;
  /// Pre-committed transactions by the checkpoint that recorded them, oldest first.
  std::vector<std::pair<std::int64_t, Txn>> pending_;
  /// The last transaction, pre-committed at the end of input, until the next checkpoint.
  std::optional<Txn> ended_;
  bool input_ended_ = false;
};

} // namespace sluice
