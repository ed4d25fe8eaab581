#include "sluice/actors/channel_layout.hpp"

#include <algorithm>

namespace sluice {

namespace {

int position_of(const std::vector<int>& v, int x) {
  return static_cast<int>(std::find(v.begin(), v.end(), x) - v.begin());
}

/// The index of input channel (edge e, from upstream subtask u) at downstream subtask d.
int input_index(const execution_plan& plan, const plan_edge& e, int d, int u) {
  int offset = 0;
  for (const auto* in : plan.inputs_of(e.target_vertex)) {
    if (in == &e)
      return offset + position_of(e.sources_of(d), u);
    offset += static_cast<int>(in->sources_of(d).size());
  }
  return -1;
}

/// The index of output channel (edge e, to downstream subtask d) at upstream subtask u.
int output_index(const execution_plan& plan, const plan_edge& e, int u, int d) {
  int offset = 0;
  for (const auto* out : plan.outputs_of(e.source_vertex)) {
    if (out == &e)
      return offset + position_of(e.targets_of(u), d);
    offset += static_cast<int>(out->targets_of(u).size());
  }
  return -1;
}

} // namespace

channel_layout channel_layout::of(const execution_plan& plan, int vertex, int subtask) {
  channel_layout layout;
  for (const auto* e : plan.outputs_of(vertex)) {
    auto targets = e->targets_of(subtask);
    layout.output_edges.push_back(
        {e, static_cast<int>(layout.outputs.size()), static_cast<int>(targets.size())});
    for (int d : targets)
      layout.outputs.push_back(
          {e->target_vertex, d, input_index(plan, *e, d, subtask), e->timestamped});
  }
  for (const auto* e : plan.inputs_of(vertex))
    for (int u : e->sources_of(subtask))
      layout.inputs.push_back({e->source_vertex, u, output_index(plan, *e, u, subtask),
                               e->timestamped, e->target_input});
  return layout;
}

} // namespace sluice
