#pragma once
// The logical job graph the stream API builds: operators (nodes) and the edges between them.

#include "sluice/operators/core/stream_operator.hpp"
#include "sluice/operators/plan/partitioning.hpp"
#include "sluice/operators/plan/stream_type.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sluice {

/// Flink's chaining strategies: chain freely, always start a chain, never chain.
enum class chaining_strategy { always, head, never };

/// One logical operator.
struct stream_node {
  int id = 0;
  std::string name;
  std::string uid;
  int parallelism = 0;        ///< 0: the job's default parallelism
  int parallelism_limit = 0;  ///< 1 for non-parallel sources and sinks; 0: none
  chaining_strategy chaining = chaining_strategy::always;
  bool is_source = false;
  bool assigns_timestamps = false; ///< emits records with timestamps and generates watermarks
  std::function<std::unique_ptr<stream_operator>()> factory;
  const stream_type* input_type = nullptr;
  const stream_type* second_input_type = nullptr; ///< two-input operators only
  const stream_type* output_type = nullptr;
};

/// Where a stream comes from: an operator's main output ("") or one of its side outputs.
struct stream_head {
  int node = 0;
  std::string output;
};

/// One logical edge; `kind` is resolved at planning time unless `explicit_kind` is set.
struct stream_edge {
  int source = 0;
  std::string source_output; ///< "" for the main output, else a side output's tag id
  int target = 0;
  int target_input = 0; ///< 0, or 1 for the second input of a two-input operator
  const stream_type* type = nullptr; ///< the records' type
  partition_kind kind = partition_kind::forward;
  bool explicit_kind = false;
  writer_factory make_writer;
};

class job_graph {
public:
  stream_node& add_node(stream_node node) {
    node.id = static_cast<int>(nodes_.size());
    nodes_.push_back(std::move(node));
    return nodes_.back();
  }
  void add_edge(stream_edge edge) { edges_.push_back(std::move(edge)); }

  stream_node& node(int id) { return nodes_.at(static_cast<std::size_t>(id)); }
  const stream_node& node(int id) const { return nodes_.at(static_cast<std::size_t>(id)); }
  const std::vector<stream_node>& nodes() const { return nodes_; }
  const std::vector<stream_edge>& edges() const { return edges_; }

private:
  std::vector<stream_node> nodes_; ///< in topological order: edges point to higher ids
  std::vector<stream_edge> edges_;
};

} // namespace sluice
