#pragma once
// A task manager process's data connections (data_connections.hpp) tied to its subtask actors:
// frames received go to the subtask they address as the batch_msg, event_msg or credit_msg CAF
// would have delivered, and a connection that ends is announced to every subtask here, which
// decides whether it concerns one of its channels (data_connection_lost_msg).

#include "sluice/actors/data_connections.hpp"
#include "sluice/actors/messages.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sluice {

class remote_data_plane {
public:
  /// Listens on `host` (any free port); throws std::runtime_error naming the address when it
  /// cannot.
  explicit remote_data_plane(const std::string& host);

  /// HOST:PORT other task managers send this one's subtasks data to.
  const std::string& address() const { return connections_.address(); }

  /// From now on, frames addressed to `subtask` reach it.
  void add_receiver(const caf::actor& subtask);
  void remove_receiver(caf::actor_id subtask);

  /// The connection to the task manager whose data address is `peer`.
  std::shared_ptr<data_link> open(const std::string& peer) { return connections_.open(peer); }

private:
  void deliver(data_frame&& frame);
  void lost(const std::string& peer, const std::string& why);

  std::mutex mutex_;
  std::unordered_map<caf::actor_id, caf::actor> receivers_;
  /// Last: its threads, which use the members above, are joined first.
  data_connections connections_;
};

} // namespace sluice
