#pragma once
// The operators of one subtask (a vertex of the plan), instantiated and wired: chained edges
// are function calls, network edges are record writers on the output gate. Each operator gets
// an operator state backend, and a keyed state backend for the subtask's key groups if it runs
// on a keyed stream; the backends outlive the operators.

#include "sluice/actors/channel_layout.hpp"
#include "sluice/actors/output_gate.hpp"
#include "sluice/operators/execution_plan.hpp"
#include "sluice/operators/job_config.hpp"
#include "sluice/operators/source.hpp"
#include "sluice/state/keyed_state_backend.hpp"
#include "sluice/state/operator_state_backend.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sluice {

class operator_chain {
public:
  operator_chain(const execution_plan& plan, int vertex, int subtask, const std::string& job_name,
                 output_gate& gate, const channel_layout& layout,
                 processing_time_service& processing_time, const job_config& config);

  /// Opens every operator, from the end of the chain to its head.
  void open();
  /// Deserializes a batch into the head; returns the number of records. A timestamped batch
  /// has each record's timestamp before it.
  std::size_t process_batch(const char* data, std::size_t size, bool timestamped, int input);
  /// The input's watermark advanced (or its status changed): the head processes it, and what
  /// each operator forwards flows down the chain.
  void process_watermark(std::int64_t wm);
  void process_watermark_status(bool idle);
  /// Every operator sees the processing time / the periodic watermark interval.
  void on_processing_time(std::int64_t now_ms);
  void on_periodic_watermark();
  /// The head, if the chain starts with a source.
  source_operator_base* source() { return source_; }
  /// End of input: end_input on every operator in topological order.
  void end_input();
  void close();
  /// The name of the head operator (for errors outside any operator).
  const std::string& head_name() const;

private:
  /// Every consumer of output `tag` of the chain's operator i, as one collector.
  output_base& wire_output(std::size_t i, const std::string& tag, const stream_type& type,
                           int subtask, output_gate& gate, const channel_layout& layout);
  /// Gives operator i its state backends (a keyed one if it is keyed), before open().
  void create_state_backends(std::size_t i, const state_backend_config& config);
  /// Runs f on every operator, naming it in any exception.
  template <class F>
  void for_each_operator(F&& f);

  const execution_plan& plan_;
  const plan_vertex& vertex_;
  // Declared before ops_ so that they are destroyed after the operators that use them.
  std::vector<std::unique_ptr<keyed_state_backend>> keyed_states_;
  std::vector<std::unique_ptr<operator_state_backend>> operator_states_;
  std::vector<std::unique_ptr<stream_operator>> ops_;
  std::vector<std::unique_ptr<output_base>> outputs_;
  std::vector<runtime_context> contexts_;
  timestamp_slot element_time_;
  split_slot split_;
  output_base* head_input_ = nullptr;
  source_operator_base* source_ = nullptr;
};

} // namespace sluice
