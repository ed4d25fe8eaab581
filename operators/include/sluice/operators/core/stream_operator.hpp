#pragma once
// The operator interface the runtime drives. Operators know nothing of actors: a subtask opens
// its chain, pushes records into the head's input, calls end_input in topological order at the
// end of input, and closes. Checkpoints reach every operator of the chain through three hooks
// (Flink's shape): snapshot_state when the subtask takes checkpoint N, then
// notify_checkpoint_complete or notify_checkpoint_aborted once the job manager decided.

#include "sluice/operators/core/collector.hpp"
#include "sluice/operators/core/operator_failure.hpp"
#include "sluice/operators/core/runtime_context.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <stdexcept>
#include <utility>

namespace sluice {

/// One operator instance of one subtask.
class stream_operator {
public:
  virtual ~stream_operator() = default;

  virtual void open(const runtime_context& ctx) { ctx_ = ctx; }
  /// All input has arrived; emit what is still pending.
  virtual void end_input() {}
  virtual void close() {}

  /// The typed input the upstream writes into (a collector of the input type).
  virtual output_base& input() { throw std::logic_error("operator has no input"); }
  /// The second input of a two-input operator.
  virtual output_base& second_input() { throw std::logic_error("operator has one input"); }
  /// Connects this operator's output (a collector of its output type).
  virtual void set_output(output_base&) { throw std::logic_error("operator has no output"); }
  /// An event-time watermark reached this operator (fire what it completes, then forward it).
  virtual void process_watermark(std::int64_t) {}
  /// The input's watermark status changed (idle inputs do not hold watermarks back).
  virtual void process_watermark_status(bool) {}
  /// The processing-time clock passed `now_ms` (see processing_time_service::wake_at).
  virtual void on_processing_time(std::int64_t) {}
  /// The periodic watermark interval passed (for operators that generate watermarks).
  virtual void on_periodic_watermark() {}
  /// The subtask takes checkpoint `checkpoint_id`: write what the operator must keep into its
  /// operator or keyed state (context().operator_state, context().keyed_state). Called
  /// synchronously, between two records, before the state backends' snapshot_sync. State
  /// restored from a checkpoint is in those backends when open() runs (context().restored).
  virtual void snapshot_state(std::int64_t /*checkpoint_id*/) {}
  /// Checkpoint `checkpoint_id` completed: every subtask acknowledged it and its metadata is
  /// written. Checkpoints complete in order, but a notice may be skipped (a later one subsumes it).
  virtual void notify_checkpoint_complete(std::int64_t /*checkpoint_id*/) {}
  /// Checkpoint `checkpoint_id` was aborted (failed, declined or timed out); it never completes.
  virtual void notify_checkpoint_aborted(std::int64_t /*checkpoint_id*/) {}
  /// True for operators on keyed streams: the runtime gives them a keyed state backend
  /// (context().keyed_state) for their subtask's key groups before open().
  virtual bool is_keyed() const { return false; }

  const runtime_context& context() const { return ctx_; }

  /// Connects side output `tag_id` (a collector of its type).
  void set_side_output(const std::string& tag_id, output_base& out) { side_outputs_[tag_id] = &out; }
  /// The consumer of side output `tag_id`, or nullptr if nothing consumes it.
  output_base* side_output(const std::string& tag_id) const {
    auto it = side_outputs_.find(tag_id);
    return it == side_outputs_.end() ? nullptr : it->second;
  }

protected:
  /// Runs f (the operator's work on one element); an exception from it that does not yet name
  /// an operator is rethrown as an operator_failure naming this one. Free when nothing throws.
  template <class F>
  void guard(F&& f) {
    run_naming(ctx_.operator_name, std::forward<F>(f));
  }

  runtime_context ctx_;

private:
  std::map<std::string, output_base*> side_outputs_;
};

/// Base for operators with one input of type In and an output of type Out.
template <class In, class Out>
class one_input_operator : public stream_operator, public collector<In> {
public:
  output_base& input() override { return static_cast<collector<In>&>(*this); }
  void set_output(output_base& out) override { out_ = &static_cast<collector<Out>&>(out); }
  void process_watermark(std::int64_t wm) override { out_->emit_watermark(wm); }
  void process_watermark_status(bool idle) override { out_->emit_watermark_status(idle); }
  void emit_watermark(std::int64_t wm) override { process_watermark(wm); }
  void emit_watermark_status(bool idle) override { process_watermark_status(idle); }
  using collector<In>::collect;

protected:
  collector<Out>* out_ = nullptr;
};

/// Marker for operators without output (sinks).
struct no_output {};

template <class In>
class one_input_operator<In, no_output> : public stream_operator, public collector<In> {
public:
  output_base& input() override { return static_cast<collector<In>&>(*this); }
  void emit_watermark(std::int64_t wm) override { process_watermark(wm); }
  void emit_watermark_status(bool idle) override { process_watermark_status(idle); }
  using collector<In>::collect;
};

} // namespace sluice
