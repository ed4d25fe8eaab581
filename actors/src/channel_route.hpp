#pragma once
// Where one channel of a subtask sends its messages (batches and events on an output, credits on
// an input): to the peer subtask's actor through CAF, or, when the peer runs in another process
// with a data address, on the data connection to that process (remote_data_plane.hpp) as the
// frame the receiving process turns back into the same message. The choice is made here only.

#include "sluice/actors/data_connections.hpp"
#include "sluice/actors/data_plane_messages.hpp"

#include <caf/all.hpp>

#include <memory>
#include <string>
#include <utility>

namespace sluice {

/// The frames of the data plane's messages to the actor `to` (remote_data_plane::deliver makes
/// the messages again). A batch's bytes are moved into its frame.
inline data_frame frame_of(caf::actor_id to, batch_msg&& m) {
  return {to, data_frame::kind::batch, 0, m.channel, m.backlog, m.records, 0, std::move(m.bytes)};
}
inline data_frame frame_of(caf::actor_id to, const event_msg& m) {
  return {to, data_frame::kind::event, m.kind, m.channel, 0, 0, m.value, {}};
}
inline data_frame frame_of(caf::actor_id to, const credit_msg& m) {
  return {to, data_frame::kind::credit, 0, m.channel, m.credits, 0, 0, {}};
}

class channel_route {
public:
  /// `link`: the data connection to `peer`'s process; null: through CAF.
  channel_route(caf::actor peer, std::shared_ptr<data_link> link)
      : peer_(std::move(peer)), link_(std::move(link)) {}

  const caf::actor& peer() const { return peer_; }
  /// Whether the channel's messages take the data connection to the task manager whose data
  /// address is `address`.
  bool through(const std::string& address) const { return link_ && link_->peer() == address; }

  /// Sends `msg` (a batch_msg, event_msg or credit_msg) from `self` to the peer.
  template <class Message>
  void send(caf::event_based_actor& self, Message&& msg) const {
    if (link_)
      link_->send(frame_of(peer_.id(), std::forward<Message>(msg)));
    else
      self.send(peer_, std::forward<Message>(msg));
  }

private:
  caf::actor peer_;
  std::shared_ptr<data_link> link_;
};

} // namespace sluice
