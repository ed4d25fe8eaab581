#pragma once
// Sources: the user-facing source<T> and the operator that hosts one in a subtask.
//
// A replayable source stores its position in operator state when a checkpoint is taken
// (snapshot_state) and resumes from the restored position in open(), so that after a failure
// the job replays exactly what followed the checkpoint.

#include "sluice/operators/api/output_tag.hpp"
#include "sluice/operators/core/stream_operator.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>

namespace sluice {

/// What a poll of a source reports.
enum class source_status {
  more,     ///< more records may follow at once
  idle,     ///< nothing available now (e.g. a socket without data); poll again later
  finished, ///< the source is exhausted
};

/// How far behind its input one subtask of a source is, where the source knows it (-1: not).
struct source_backlog {
  std::int64_t pending_records = -1; ///< records not read yet (Kafka: end offset - position)
  std::int64_t pending_bytes = -1;   ///< bytes of the input not read yet (files)
  std::int64_t input_bytes = -1;     ///< the size of the input this subtask reads (files)
  std::int64_t bytes_read = -1;      ///< bytes read from the input (files, Kafka keys and values)
};

/// A source of records of type T. Each subtask gets its own copy (made by clone()).
template <class T>
class source {
public:
  using output_type = T;
  virtual ~source() = default;

  /// Called once per subtask before the first poll; ctx says which share to read.
  virtual void open(const runtime_context&) {}
  /// Emits at most max_records records into out.
  virtual source_status poll(collector<T>& out, std::size_t max_records) = 0;
  virtual void close() {}
  /// 1 for sources that cannot run in parallel (a collection, a socket); 0 = any.
  virtual int max_source_parallelism() const { return 0; }
  virtual std::unique_ptr<source<T>> clone() const = 0;

  /// Whether the source stores its position in snapshot_state and resumes from it in open()
  /// when ctx.restored, so a recovered job replays what followed the checkpoint.
  virtual bool replayable() const { return false; }
  /// Checkpoint `checkpoint_id` is taken: store the position in ctx.operator_state.
  virtual void snapshot_state(std::int64_t /*checkpoint_id*/) {}
  virtual void notify_checkpoint_complete(std::int64_t /*checkpoint_id*/) {}
  virtual void notify_checkpoint_aborted(std::int64_t /*checkpoint_id*/) {}
  /// Its backlog now (called by the subtask's thread after each step; keep it cheap).
  virtual source_backlog backlog() const { return {}; }

  /// Set by the hosting operator before open(): the side outputs of the source's stream
  /// (data_stream::get_side_output on the stream from_source returned).
  void set_side_outputs(side_output_context* outputs) { side_outputs_ = outputs; }

protected:
  /// Where the source emits records besides its main output (e.g. ones it cannot read), with
  /// side_outputs()->output(tag, value); nullptr before open().
  side_output_context* side_outputs() const { return side_outputs_; }

private:
  side_output_context* side_outputs_ = nullptr;
};

/// CRTP helper implementing clone() by copy.
template <class Derived, class T>
class copyable_source : public source<T> {
public:
  std::unique_ptr<source<T>> clone() const override {
    return std::make_unique<Derived>(static_cast<const Derived&>(*this));
  }
};

/// The runtime's view of a source operator.
class source_operator_base : public stream_operator {
public:
  virtual source_status emit(std::size_t max_records) = 0;
  /// Records emitted so far.
  virtual std::uint64_t emitted() const = 0;
  /// Whether the hosted source can replay its input after a failure (source<T>::replayable).
  virtual bool replayable() const = 0;
  /// The hosted source's backlog (source<T>::backlog).
  virtual source_backlog backlog() const = 0;
};

/// With checkpointing on (ctx.checkpointing), logs a warning that `source` cannot replay its
/// input, so what it emitted since the last completed checkpoint is lost when the job recovers;
/// returns whether it warned. source_operator::open calls it.
bool warn_if_not_replayable(const source_operator_base& source, const runtime_context& ctx);

template <class T>
class source_operator final : public source_operator_base {
public:
  explicit source_operator(std::unique_ptr<source<T>> src) : src_(std::move(src)) {}

  void open(const runtime_context& ctx) override {
    stream_operator::open(ctx);
    warn_if_not_replayable(*this, ctx);
    src_->set_side_outputs(&side_outputs_);
    src_->open(ctx);
  }
  void close() override { src_->close(); }
  void snapshot_state(std::int64_t id) override { src_->snapshot_state(id); }
  void notify_checkpoint_complete(std::int64_t id) override {
    src_->notify_checkpoint_complete(id);
  }
  void notify_checkpoint_aborted(std::int64_t id) override { src_->notify_checkpoint_aborted(id); }
  bool replayable() const override { return src_->replayable(); }
  source_backlog backlog() const override { return src_->backlog(); }
  void set_output(output_base& out) override { counting_.out = &static_cast<collector<T>&>(out); }
  source_status emit(std::size_t max_records) override { return src_->poll(counting_, max_records); }
  std::uint64_t emitted() const override { return counting_.count; }
  void process_watermark(std::int64_t wm) override { counting_.out->emit_watermark(wm); }
  void process_watermark_status(bool idle) override { counting_.out->emit_watermark_status(idle); }

private:
  struct counting_collector final : collector<T> {
    void collect(T&& value) override {
      ++count;
      out->collect(std::move(value));
    }
    void emit_watermark(std::int64_t wm) override { out->emit_watermark(wm); }
    void emit_watermark_status(bool idle) override { out->emit_watermark_status(idle); }
    using collector<T>::collect;
    collector<T>* out = nullptr;
    std::uint64_t count = 0;
  };

  /// The operator's side outputs, as the hosted source sees them.
  struct operator_side_outputs final : side_output_context {
    explicit operator_side_outputs(const stream_operator& op) : op(op) {}
    output_base* side_output(const std::string& tag_id) override { return op.side_output(tag_id); }
    const stream_operator& op;
  };

  std::unique_ptr<source<T>> src_;
  counting_collector counting_;
  operator_side_outputs side_outputs_{*this};
};

} // namespace sluice
