#include "sluice/actors/operator_chain.hpp"

#include "sluice/actors/checkpoint_ids.hpp"
#include "sluice/operators/core/operator_failure.hpp"

#include <algorithm>

namespace sluice {

operator_chain::operator_chain(const execution_plan& plan, int vertex, int subtask,
                               const std::string& job_name, output_gate& gate,
                               const channel_layout& layout,
                               processing_time_service& processing_time,
                               const job_config& config, const checkpoint_metadata* restored,
                               const std::map<std::string, local_keyed_copy>* local)
    : plan_(&plan), vertex_(&plan.vertices().at(static_cast<std::size_t>(vertex))),
      subtask_(subtask), report_records_(config.metrics_interval_ms > 0) {
  const auto& graph = plan.graph();
  for (int node : vertex_->nodes) {
    const auto& n = graph.node(node);
    ops_.push_back(n.factory());
    runtime_context ctx{job_name, n.name, subtask, vertex_->parallelism, plan.max_parallelism()};
    ctx.element_time = &element_time_;
    ctx.split = &split_;
    ctx.processing_time = &processing_time;
    ctx.watermark_interval_ms = config.watermark_interval_ms;
    ctx.checkpointing = config.checkpointing.enabled();
    ctx.checkpoint_interval_ms = config.checkpointing.enabled() ? config.checkpointing.interval_ms : 0;
    ctx.restored = restored != nullptr;
    contexts_.push_back(std::move(ctx));
    uids_.push_back(operator_uid(n));
    create_state_backends(ops_.size() - 1, config.state, restored, local);
  }
  wire_outputs(gate, layout);
  const auto& head = graph.node(vertex_->nodes.front());
  if (head.is_source)
    source_ = static_cast<source_operator_base*>(ops_.front().get());
  else
    head_input_ = &ops_.front()->input();
}

void operator_chain::create_state_backends(std::size_t i, const state_backend_config& config,
                                           const checkpoint_metadata* restored,
                                           const std::map<std::string, local_keyed_copy>* local) {
  auto& ctx = contexts_[i];
  run_naming(ctx.operator_name, [&] {
    const std::string owner = ctx.task_name();
    operator_states_.push_back(std::make_unique<operator_state_backend>(owner));
    ctx.operator_state = operator_states_.back().get();
    if (!ops_[i]->is_keyed())
      return;
    auto range = key_group_range_for_subtask(ctx.max_parallelism, ctx.parallelism,
                                             ctx.subtask_index);
    keyed_states_.push_back(make_keyed_state_backend(config, owner, range, ctx.max_parallelism));
    ctx.keyed_state = keyed_states_.back().get();
  });
  if (restored)
    run_naming(ctx.operator_name, [&] { restore_state(i, *restored, local); });
}

void operator_chain::wire_outputs(output_gate& gate, const channel_layout& layout) {
  const auto& graph = plan_->graph();
  for (std::size_t i = 0; i < vertex_->nodes.size(); ++i) {
    const auto& n = graph.node(vertex_->nodes[i]);
    if (n.output_type)
      ops_[i]->set_output(wire_output(i, "", *n.output_type, gate, layout));
    std::vector<std::string> tags;
    for (const auto& e : graph.edges())
      if (e.source == n.id && !e.source_output.empty() &&
          std::find(tags.begin(), tags.end(), e.source_output) == tags.end()) {
        tags.push_back(e.source_output);
        ops_[i]->set_side_output(e.source_output,
                                 wire_output(i, e.source_output, *e.type, gate, layout));
      }
  }
}

void operator_chain::rewire(const execution_plan& plan, output_gate& gate,
                            const channel_layout& layout) {
  const auto& v = plan.vertices().at(static_cast<std::size_t>(vertex_->id));
  if (v.nodes != vertex_->nodes || v.parallelism != vertex_->parallelism)
    throw std::logic_error("a rescale in place rewired a chain whose vertex changed");
  plan_ = &plan;
  vertex_ = &v;
  // The operators' outputs are replaced before the old ones go (operators point to them).
  // Wiring again makes the same outputs in the same order: what each counted is carried over.
  auto old = std::move(outputs_);
  auto wired = std::move(wired_outputs_);
  outputs_.clear();
  wired_outputs_.clear();
  wire_outputs(gate, layout);
  for (std::size_t k = 0; k < wired.size(); ++k)
    wired_outputs_.at(k).taken_before = wired[k].taken_before + wired[k].out->records_taken();
}

output_base& operator_chain::wire_output(std::size_t i, const std::string& tag,
                                         const stream_type& type, output_gate& gate,
                                         const channel_layout& layout) {
  int node = vertex_->nodes[i];
  std::vector<output_base*> outs;
  for (const auto& ce : plan_->chained_edges()) {
    if (ce.source_node != node || ce.source_output != tag)
      continue;
    auto target = std::find(vertex_->nodes.begin(), vertex_->nodes.end(), ce.target_node);
    outs.push_back(&ops_[static_cast<std::size_t>(target - vertex_->nodes.begin())]->input());
  }
  for (const auto& oe : layout.output_edges) {
    if (oe.edge->source_node != node || oe.edge->source_output != tag)
      continue;
    partition_context pc{subtask_, oe.channels, plan_->max_parallelism()};
    auto* stamp = oe.edge->timestamped ? &element_time_ : nullptr;
    outputs_.push_back(oe.edge->edge->make_writer(
        gate.edge_view(oe.first_channel, oe.channels, stamp), oe.edge->kind, pc));
    outs.push_back(outputs_.back().get());
  }
  output_base* out = outs.empty() ? nullptr : outs.front();
  if (outs.empty() || outs.size() > 1) {
    outputs_.push_back(outs.empty() ? type.make_discard() : type.make_fanout(outs));
    out = outputs_.back().get();
  }
  wired_outputs_.push_back(wired_output{i, tag, out});
  return *out;
}

void operator_chain::metrics(std::uint64_t head_records_in,
                             std::vector<operator_metrics>& out) const {
  out.resize(ops_.size());
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    out[i].name = contexts_[i].operator_name;
    out[i].records_in = 0;
    out[i].records_out = 0;
    out[i].late_records_dropped =
        static_cast<std::uint64_t>(contexts_[i].metric_group().late_records_dropped().count());
    out[i].user = contexts_[i].metric_group().snapshot();
  }
  if (!report_records_)
    return;
  out.front().records_in = head_records_in;
  for (const auto& w : wired_outputs_) {
    const auto records = w.taken_before + w.out->records_taken();
    out[w.op].records_out += records;
    const int source = vertex_->nodes[w.op];
    for (const auto& ce : plan_->chained_edges()) {
      if (ce.source_node != source || ce.source_output != w.tag)
        continue;
      auto target = std::find(vertex_->nodes.begin(), vertex_->nodes.end(), ce.target_node);
      out[static_cast<std::size_t>(target - vertex_->nodes.begin())].records_in += records;
    }
  }
}

void operator_chain::process_watermark(std::int64_t wm) {
  run_naming(head_name(), [&] { ops_.front()->process_watermark(wm); });
}

void operator_chain::process_watermark_status(bool idle) {
  run_naming(head_name(), [&] { ops_.front()->process_watermark_status(idle); });
}

void operator_chain::on_processing_time(std::int64_t now_ms) {
  for_each_operator([&](stream_operator& op) { op.on_processing_time(now_ms); });
}

void operator_chain::on_periodic_watermark() {
  for_each_operator([](stream_operator& op) { op.on_periodic_watermark(); });
}

void operator_chain::open() {
  for (std::size_t i = ops_.size(); i-- > 0;)
    run_naming(contexts_[i].operator_name, [&] { ops_[i]->open(contexts_[i]); });
}

std::size_t operator_chain::process_batch(const char* data, std::size_t size, bool timestamped,
                                          int input) {
  const auto& head = plan_->graph().node(vertex_->nodes.front());
  element_time_.value = no_timestamp;
  auto& reader = readers_[input];
  if (!reader)
    reader = (input == 0 ? head.input_type : head.second_input_type)->make_batch_reader();
  auto& into = input == 0 ? *head_input_ : ops_.front()->second_input();
  std::size_t n = 0;
  run_naming(head.name, [&] {
    n = reader->read(data, size, into, timestamped ? &element_time_ : nullptr);
  });
  return n;
}

void operator_chain::end_input() {
  for_each_operator([](stream_operator& op) { op.end_input(); });
}

void operator_chain::close() {
  for_each_operator([](stream_operator& op) { op.close(); });
}

const std::string& operator_chain::head_name() const { return contexts_.front().operator_name; }

} // namespace sluice
