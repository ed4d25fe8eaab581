#pragma once
// Numbering of channels. A subtask's output channels are numbered over its outgoing network
// edges in plan order, then by target position; its input channels likewise over incoming edges
// and source position. Both ends compute the same numbers from the plan, so a deployment only
// needs the actor of every subtask.

#include "sluice/operators/plan/execution_plan.hpp"

#include <vector>

namespace sluice {

/// The far end of one channel.
struct channel_peer {
  int vertex = 0;
  int subtask = 0;
  int peer_channel = 0; ///< the channel's index at the peer (its input or output index)
  bool timestamped = false; ///< records on the channel carry timestamps
  int input = 0;            ///< for input channels: which input of the head operator
};

/// One outgoing network edge of a subtask: its channels are [first_channel, first_channel + n).
struct output_edge_layout {
  const plan_edge* edge = nullptr;
  int first_channel = 0;
  int channels = 0;
};

struct channel_layout {
  std::vector<channel_peer> outputs;
  std::vector<channel_peer> inputs;
  std::vector<output_edge_layout> output_edges;

  /// The layout of subtask `subtask` of vertex `vertex`.
  static channel_layout of(const execution_plan& plan, int vertex, int subtask);
};

} // namespace sluice
