#pragma once
// The job graph turned into what runs: chains of operators (vertices) with their parallelism,
// and the network edges between them (Flink's JobGraph). Pure logic, tested without actors.

#include "sluice/operators/api/job_config.hpp"
#include "sluice/operators/plan/job_graph.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sluice {

/// A chain of operators that runs as one subtask per parallel instance.
struct plan_vertex {
  int id = 0;
  std::vector<int> nodes; ///< node ids in topological order; nodes.front() is the head
  int parallelism = 1;
  std::string name;       ///< "Source: numbers -> map -> filter"
  bool is_source = false;
};

/// A network edge between two vertices.
struct plan_edge {
  int id = 0;
  int source_vertex = 0;
  int target_vertex = 0;
  int source_node = 0;
  std::string source_output; ///< "" for the main output, else a side output's tag id
  int target_node = 0;
  int target_input = 0;      ///< which input of the target operator (two-input operators)
  bool timestamped = false;  ///< records carry timestamps on the wire
  partition_kind kind = partition_kind::forward;
  const stream_edge* edge = nullptr;
  int source_parallelism = 1;
  int target_parallelism = 1;

  /// The downstream subtasks upstream subtask `u` sends to, in channel order.
  std::vector<int> targets_of(int u) const;
  /// The upstream subtasks downstream subtask `d` receives from, in channel order.
  std::vector<int> sources_of(int d) const;
};

/// An edge inside a chain (records pass by function call).
struct chained_edge {
  int source_node = 0;
  std::string source_output;
  int target_node = 0;
};

class execution_plan {
public:
  /// Chains and validates; throws config_error naming the operator on a bad graph.
  /// `parallelism`, by node id, overrides a node's parallelism where above 0 (a rescale:
  /// node_parallelism() of the rescaled plan rebuilds the same plan in every process).
  static std::shared_ptr<const execution_plan> build(std::shared_ptr<const job_graph> graph,
                                                     const job_config& config,
                                                     const std::vector<int>& parallelism = {});

  /// The same job graph built again with `parallelism` (as build's).
  std::shared_ptr<const execution_plan> rebuilt(const job_config& config,
                                                const std::vector<int>& parallelism) const {
    return build(graph_, config, parallelism);
  }

  const job_graph& graph() const { return *graph_; }
  const std::vector<plan_vertex>& vertices() const { return vertices_; }
  const std::vector<plan_edge>& edges() const { return edges_; }
  const std::vector<chained_edge>& chained_edges() const { return chained_; }
  int vertex_of(int node) const { return vertex_of_node_.at(static_cast<std::size_t>(node)); }
  int max_parallelism() const { return max_parallelism_; }
  /// Whether a node's output records carry timestamps (it or something upstream assigns them).
  bool timestamped(int node) const { return timestamped_.at(static_cast<std::size_t>(node)); }
  /// The parallelism of every node, by node id (that of its vertex).
  std::vector<int> node_parallelism() const;
  /// Whether the vertex contains an operator that generates watermarks.
  bool assigns_timestamps(int vertex) const;
  /// The highest vertex parallelism: the number of slots the job needs.
  int required_slots() const;
  /// Network edges into / out of a vertex, in id order.
  std::vector<const plan_edge*> inputs_of(int vertex) const;
  std::vector<const plan_edge*> outputs_of(int vertex) const;
  /// A short human-readable description of vertices and edges.
  std::string describe() const;
  /// A hash of the vertices, their operators, parallelism and edges, and the max parallelism:
  /// processes of one cluster must have built the same plan.
  std::uint64_t fingerprint() const;

private:
  std::shared_ptr<const job_graph> graph_;
  std::vector<plan_vertex> vertices_;
  std::vector<plan_edge> edges_;
  std::vector<chained_edge> chained_;
  std::vector<int> vertex_of_node_;
  std::vector<bool> timestamped_;
  int max_parallelism_ = 128;
};

} // namespace sluice
