#pragma once
// A task manager process's data connections (data_connections.hpp) tied to its subtask actors:
// frames received go to the subtask they address as the batch_msg, event_msg or credit_msg CAF
// would have delivered, and a connection that ends is announced to the subtasks here that opened
// a link to that process, each of which decides whether it concerns one of its open channels
// (data_connection_lost_msg).

#include "sluice/actors/data_connections.hpp"
#include "sluice/actors/messages.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace sluice {

class remote_data_plane {
public:
  /// Listens on `host` (any free port); throws std::runtime_error naming the address when it
  /// cannot.
  explicit remote_data_plane(const std::string& host);

  /// HOST:PORT other task managers send this one's subtasks data to.
  const std::string& address() const { return connections_.address(); }

  /// From now on, frames addressed to `subtask` reach it, and so does the end of a connection it
  /// opened.
  void add_receiver(const caf::actor& subtask);
  /// Also forgets the connections `subtask` opened.
  void remove_receiver(caf::actor_id subtask);

  /// The connection to the task manager whose data address is `peer`, for `subtask`: the end of
  /// a connection to or from `peer` is announced to it from now on.
  std::shared_ptr<data_link> open(const std::string& peer, caf::actor_id subtask);

private:
  void deliver(data_frame&& frame);
  void lost(const std::string& peer, const std::string& why);

  std::mutex mutex_;
  std::unordered_map<caf::actor_id, caf::actor> receivers_;
  /// Per data address of a peer: the subtasks that opened a connection to it.
  std::unordered_map<std::string, std::unordered_set<caf::actor_id>> linked_;
  /// Last: its threads, which use the members above, are joined first.
  data_connections connections_;
};

} // namespace sluice
