#include "job_rescale.hpp"

#include "sluice/actors/checkpoint_ids.hpp"

namespace sluice {

namespace {

/// The node whose operator uid is `uid`; throws config_error naming the uids there are.
const stream_node& node_of_uid(const job_graph& graph, const std::string& uid) {
  std::string uids;
  for (const auto& n : graph.nodes()) {
    if (operator_uid(n) == uid)
      return n;
    uids += (uids.empty() ? "'" : ", '") + operator_uid(n) + "'";
  }
  throw config_error("no operator of uid '" + uid + "' in the job (its uids: " + uids + ")");
}

} // namespace

std::shared_ptr<const execution_plan> rescaled_plan(const execution_plan& current,
                                                    const job_config& config, int parallelism,
                                                    const std::string& vertex) {
  if (parallelism < 1)
    throw config_error("parallelism " + std::to_string(parallelism) + ": must be at least 1");
  if (parallelism > current.max_parallelism())
    throw config_error("parallelism " + std::to_string(parallelism) +
                       " exceeds the job's max parallelism " +
                       std::to_string(current.max_parallelism()) +
                       " (its state is split into that many key groups)");
  const auto& graph = current.graph();
  auto wanted = current.node_parallelism();
  if (vertex.empty()) {
    for (const auto& n : graph.nodes())
      if (n.parallelism == 0)
        wanted[static_cast<std::size_t>(n.id)] =
            n.parallelism_limit > 0 ? std::min(parallelism, n.parallelism_limit) : parallelism;
  } else {
    const auto& chain = current.vertices()[static_cast<std::size_t>(
        current.vertex_of(node_of_uid(graph, vertex).id))];
    for (int n : chain.nodes)
      wanted[static_cast<std::size_t>(n)] = parallelism;
  }
  auto plan = current.rebuilt(config, wanted);
  if (plan->fingerprint() == current.fingerprint())
    throw config_error("the job runs at that parallelism already");
  return plan;
}

std::vector<bool> kept_vertices(const execution_plan& from, const execution_plan& to) {
  std::vector<bool> kept;
  for (const auto& v : from.vertices()) {
    const auto& after = to.vertices();
    const auto i = static_cast<std::size_t>(v.id);
    kept.push_back(i < after.size() && after[i].nodes == v.nodes &&
                   after[i].parallelism == v.parallelism);
  }
  return kept;
}

std::string rescale_changes(const execution_plan& from, const execution_plan& to) {
  const auto before = from.node_parallelism();
  const auto after = to.node_parallelism();
  std::string out;
  for (const auto& v : to.vertices()) {
    const auto head = static_cast<std::size_t>(v.nodes.front());
    if (before[head] != after[head])
      out += (out.empty() ? "'" : ", '") + v.name + "' " + std::to_string(before[head]) +
             " -> " + std::to_string(after[head]);
  }
  return out;
}

} // namespace sluice
