#include "sluice/operators/plan/execution_plan.hpp"

#include <algorithm>
#include <sstream>

namespace sluice {

const char* to_string(partition_kind k) {
  switch (k) {
    case partition_kind::forward: return "FORWARD";
    case partition_kind::rebalance: return "REBALANCE";
    case partition_kind::rescale: return "RESCALE";
    case partition_kind::hash: return "HASH";
    case partition_kind::broadcast: return "BROADCAST";
    case partition_kind::custom: return "CUSTOM";
  }
  return "?";
}

std::vector<int> plan_edge::targets_of(int u) const {
  std::vector<int> out;
  if (!is_pointwise(kind)) {
    for (int d = 0; d < target_parallelism; ++d)
      out.push_back(d);
  } else if (source_parallelism >= target_parallelism) {
    out.push_back(static_cast<int>(static_cast<long long>(u) * target_parallelism /
                                   source_parallelism));
  } else {
    for (int d = 0; d < target_parallelism; ++d)
      if (static_cast<long long>(d) * source_parallelism / target_parallelism == u)
        out.push_back(d);
  }
  return out;
}

std::vector<int> plan_edge::sources_of(int d) const {
  std::vector<int> out;
  for (int u = 0; u < source_parallelism; ++u) {
    auto t = targets_of(u);
    if (std::find(t.begin(), t.end(), d) != t.end())
      out.push_back(u);
  }
  return out;
}

namespace {

/// A node's parallelism: `set` if above 0 (a rescale's), else the node's own, else the job's.
int resolve_parallelism(const stream_node& n, const job_config& config, int set) {
  const int chosen = set > 0 ? set : n.parallelism;
  int p = chosen > 0 ? chosen : config.default_parallelism();
  if (n.parallelism_limit > 0 && p > n.parallelism_limit) {
    if (chosen > 0)
      throw config_error("operator '" + n.name + "' cannot run in parallel: parallelism " +
                         std::to_string(chosen) + " requested, at most " +
                         std::to_string(n.parallelism_limit) + " allowed");
    p = n.parallelism_limit;
  }
  if (p > config.max_parallelism)
    throw config_error("operator '" + n.name + "': parallelism " + std::to_string(p) +
                       " exceeds --max-parallelism " + std::to_string(config.max_parallelism));
  return p;
}

} // namespace

std::shared_ptr<const execution_plan> execution_plan::build(std::shared_ptr<const job_graph> graph,
                                                            const job_config& config,
                                                            const std::vector<int>& parallelism) {
  config.validate();
  auto plan = std::make_shared<execution_plan>();
  plan->graph_ = graph;
  plan->max_parallelism_ = config.max_parallelism;
  const auto& nodes = graph->nodes();
  if (nodes.empty())
    throw config_error("the job has no operators");
  std::vector<int> par(nodes.size());
  std::vector<int> in_degree(nodes.size(), 0);
  for (const auto& n : nodes)
    par[static_cast<std::size_t>(n.id)] = resolve_parallelism(
        n, config,
        static_cast<std::size_t>(n.id) < parallelism.size()
            ? parallelism[static_cast<std::size_t>(n.id)]
            : 0);
  for (const auto& e : graph->edges())
    ++in_degree[static_cast<std::size_t>(e.target)];
  // Nodes are in topological order: a node's output is timestamped if it assigns timestamps
  // or any of its inputs is timestamped.
  plan->timestamped_.assign(nodes.size(), false);
  for (const auto& n : nodes)
    plan->timestamped_[static_cast<std::size_t>(n.id)] = n.assigns_timestamps;
  for (const auto& e : graph->edges())
    if (plan->timestamped_[static_cast<std::size_t>(e.source)])
      plan->timestamped_[static_cast<std::size_t>(e.target)] = true;

  // Resolve partitioners and decide chaining.
  std::vector<partition_kind> kinds;
  std::vector<bool> chain;
  for (const auto& e : graph->edges()) {
    const auto& src = graph->node(e.source);
    const auto& dst = graph->node(e.target);
    bool same_par = par[static_cast<std::size_t>(e.source)] == par[static_cast<std::size_t>(e.target)];
    auto kind = e.kind;
    if (!e.explicit_kind)
      kind = same_par ? partition_kind::forward : partition_kind::rebalance;
    if (kind == partition_kind::forward && !same_par)
      throw config_error("forward partitioning from '" + src.name + "' (parallelism " +
                         std::to_string(par[static_cast<std::size_t>(e.source)]) + ") to '" +
                         dst.name + "' (parallelism " +
                         std::to_string(par[static_cast<std::size_t>(e.target)]) +
                         ") needs equal parallelism; use rebalance() or rescale()");
    kinds.push_back(kind);
    chain.push_back(config.chaining && kind == partition_kind::forward &&
                    in_degree[static_cast<std::size_t>(e.target)] == 1 &&
                    src.chaining != chaining_strategy::never &&
                    dst.chaining == chaining_strategy::always);
  }

  // Vertices: a node joins the vertex of the upstream it is chained to.
  plan->vertex_of_node_.assign(nodes.size(), -1);
  for (const auto& n : nodes) {
    int v = -1;
    for (std::size_t i = 0; i < graph->edges().size(); ++i)
      if (chain[i] && graph->edges()[i].target == n.id)
        v = plan->vertex_of_node_[static_cast<std::size_t>(graph->edges()[i].source)];
    if (v < 0) {
      v = static_cast<int>(plan->vertices_.size());
      plan_vertex pv;
      pv.id = v;
      pv.parallelism = par[static_cast<std::size_t>(n.id)];
      pv.is_source = n.is_source;
      plan->vertices_.push_back(pv);
    }
    auto& pv = plan->vertices_[static_cast<std::size_t>(v)];
    pv.name += (pv.nodes.empty() ? "" : " -> ") + n.name;
    pv.nodes.push_back(n.id);
    plan->vertex_of_node_[static_cast<std::size_t>(n.id)] = v;
  }

  for (std::size_t i = 0; i < graph->edges().size(); ++i) {
    const auto& e = graph->edges()[i];
    if (chain[i]) {
      plan->chained_.push_back({e.source, e.source_output, e.target});
      continue;
    }
    plan_edge pe;
    pe.id = static_cast<int>(plan->edges_.size());
    pe.source_node = e.source;
    pe.source_output = e.source_output;
    pe.target_node = e.target;
    pe.target_input = e.target_input;
    pe.timestamped = plan->timestamped(e.source);
    pe.source_vertex = plan->vertex_of(e.source);
    pe.target_vertex = plan->vertex_of(e.target);
    pe.kind = kinds[i];
    pe.edge = &e;
    pe.source_parallelism = par[static_cast<std::size_t>(e.source)];
    pe.target_parallelism = par[static_cast<std::size_t>(e.target)];
    plan->edges_.push_back(pe);
  }
  return plan;
}

std::vector<int> execution_plan::node_parallelism() const {
  std::vector<int> out(vertex_of_node_.size());
  for (std::size_t n = 0; n < out.size(); ++n)
    out[n] = vertices_[static_cast<std::size_t>(vertex_of_node_[n])].parallelism;
  return out;
}

bool execution_plan::assigns_timestamps(int vertex) const {
  for (int n : vertices_.at(static_cast<std::size_t>(vertex)).nodes)
    if (graph_->node(n).assigns_timestamps)
      return true;
  return false;
}

int execution_plan::required_slots() const {
  int n = 1;
  for (const auto& v : vertices_)
    n = std::max(n, v.parallelism);
  return n;
}

std::vector<const plan_edge*> execution_plan::inputs_of(int vertex) const {
  std::vector<const plan_edge*> out;
  for (const auto& e : edges_)
    if (e.target_vertex == vertex)
      out.push_back(&e);
  return out;
}

std::vector<const plan_edge*> execution_plan::outputs_of(int vertex) const {
  std::vector<const plan_edge*> out;
  for (const auto& e : edges_)
    if (e.source_vertex == vertex)
      out.push_back(&e);
  return out;
}

std::string execution_plan::describe() const {
  std::ostringstream os;
  for (const auto& v : vertices_)
    os << "vertex " << v.id << " [" << v.parallelism << "]: " << v.name << '\n';
  for (const auto& e : edges_)
    os << "edge " << e.source_vertex << " -> " << e.target_vertex << " " << to_string(e.kind)
       << '\n';
  return os.str();
}

std::uint64_t execution_plan::fingerprint() const {
  std::ostringstream os;
  os << describe() << "max parallelism " << max_parallelism_ << '\n';
  for (const auto& node : graph_->nodes())
    os << "node " << node.id << ": " << node.name << " uid " << node.uid << '\n';
  std::uint64_t hash = 14695981039346656037ull; // FNV-1a
  for (char c : os.str()) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

} // namespace sluice
