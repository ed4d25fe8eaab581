#pragma once
// Sinks: the user-facing sink<T> and the operator that hosts one in a subtask.

#include "sluice/operators/core/stream_operator.hpp"

#include <cstdint>
#include <memory>

namespace sluice {

/// A sink of records of type T. Each subtask gets its own copy (made by clone()).
template <class T>
class sink {
public:
  using input_type = T;
  virtual ~sink() = default;

  virtual void open(const runtime_context&) {}
  virtual void write(T&& value) = 0;
  /// A record the sink must not keep (its producer keeps it, e.g. a rolling reduce's running
  /// value): the default copies it for write(T&&); sinks that only read records override it.
  virtual void write(const T& value) { write(T(value)); }
  /// All input has arrived: flush.
  virtual void finish() {}
  virtual void close() {}
  /// 1 for sinks that cannot run in parallel; 0 = any.
  virtual int max_sink_parallelism() const { return 0; }
  virtual std::unique_ptr<sink<T>> clone() const = 0;

  /// Checkpoint `checkpoint_id` is taken: store what must survive a failure in
  /// ctx.operator_state (see two_phase_commit_sink).
  virtual void snapshot_state(std::int64_t /*checkpoint_id*/) {}
  virtual void notify_checkpoint_complete(std::int64_t /*checkpoint_id*/) {}
  virtual void notify_checkpoint_aborted(std::int64_t /*checkpoint_id*/) {}
};

/// CRTP helper implementing clone() by copy.
template <class Derived, class T>
class copyable_sink : public sink<T> {
public:
  std::unique_ptr<sink<T>> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
};

template <class T>
class sink_operator final : public one_input_operator<T, no_output> {
public:
  explicit sink_operator(std::unique_ptr<sink<T>> s) : sink_(std::move(s)) {}

  void open(const runtime_context& ctx) override {
    stream_operator::open(ctx);
    sink_->open(ctx);
  }
  void collect(T&& value) override {
    this->count_taken();
    this->guard([&] { sink_->write(std::move(value)); });
  }
  void collect(const T& value) override {
    this->count_taken();
    this->guard([&] { sink_->write(value); });
  }
  void end_input() override { sink_->finish(); }
  void close() override { sink_->close(); }
  void snapshot_state(std::int64_t id) override { sink_->snapshot_state(id); }
  void notify_checkpoint_complete(std::int64_t id) override {
    sink_->notify_checkpoint_complete(id);
  }
  void notify_checkpoint_aborted(std::int64_t id) override { sink_->notify_checkpoint_aborted(id); }

private:
  std::unique_ptr<sink<T>> sink_;
};

} // namespace sluice
