#include "sluice/actors/operator_chain.hpp"

#include "sluice/operators/operator_failure.hpp"

namespace sluice {

operator_chain::operator_chain(const execution_plan& plan, int vertex, int subtask,
                               const std::string& job_name, output_gate& gate,
                               const channel_layout& layout)
    : plan_(plan), vertex_(plan.vertices().at(static_cast<std::size_t>(vertex))) {
  const auto& graph = plan.graph();
  auto index_in_chain = [&](int node) {
    for (std::size_t i = 0; i < vertex_.nodes.size(); ++i)
      if (vertex_.nodes[i] == node)
        return static_cast<int>(i);
    return -1;
  };
  for (int node : vertex_.nodes) {
    const auto& n = graph.node(node);
    ops_.push_back(n.factory());
    contexts_.push_back({job_name, n.name, subtask, vertex_.parallelism, plan.max_parallelism()});
  }
  // Wire every output: chained targets are inputs of later operators, network edges writers.
  for (std::size_t i = 0; i < vertex_.nodes.size(); ++i) {
    const auto& n = graph.node(vertex_.nodes[i]);
    if (!n.output_type)
      continue;
    std::vector<output_base*> outs;
    for (const auto& ce : plan.chained_edges()) {
      if (ce.source_node != n.id)
        continue;
      auto target = static_cast<std::size_t>(index_in_chain(ce.target_node));
      outs.push_back(&ops_[target]->input());
    }
    for (const auto& oe : layout.output_edges) {
      if (oe.edge->source_node != n.id)
        continue;
      partition_context pc{subtask, oe.channels, plan.max_parallelism()};
      outputs_.push_back(oe.edge->edge->make_writer(gate.edge_view(oe.first_channel, oe.channels),
                                                    oe.edge->kind, pc));
      outs.push_back(outputs_.back().get());
    }
    if (outs.empty()) {
      outputs_.push_back(n.output_type->make_discard());
      outs.push_back(outputs_.back().get());
    } else if (outs.size() > 1) {
      outputs_.push_back(n.output_type->make_fanout(outs));
      outs = {outputs_.back().get()};
    }
    ops_[i]->set_output(*outs.front());
  }
  const auto& head = graph.node(vertex_.nodes.front());
  if (head.is_source)
    source_ = static_cast<source_operator_base*>(ops_.front().get());
  else
    head_input_ = &ops_.front()->input();
}

void operator_chain::open() {
  for (std::size_t i = ops_.size(); i-- > 0;)
    run_naming(contexts_[i].operator_name, [&] { ops_[i]->open(contexts_[i]); });
}

std::size_t operator_chain::process_batch(const char* data, std::size_t size) {
  const auto& head = plan_.graph().node(vertex_.nodes.front());
  std::size_t n = 0;
  run_naming(head.name, [&] { n = head.input_type->read_batch(data, size, *head_input_); });
  return n;
}

void operator_chain::end_input() {
  for (std::size_t i = 0; i < ops_.size(); ++i)
    run_naming(contexts_[i].operator_name, [&] { ops_[i]->end_input(); });
}

void operator_chain::close() {
  for (std::size_t i = 0; i < ops_.size(); ++i)
    run_naming(contexts_[i].operator_name, [&] { ops_[i]->close(); });
}

const std::string& operator_chain::head_name() const { return contexts_.front().operator_name; }

} // namespace sluice
