#include "remote_data_plane.hpp"

namespace sluice {

remote_data_plane::remote_data_plane(const std::string& host)
    : connections_(
          host, 0, [this](data_frame&& f) { deliver(std::move(f)); },
          [this](const std::string& peer, const std::string& why) { lost(peer, why); }) {}

void remote_data_plane::add_receiver(const caf::actor& subtask) {
  std::lock_guard<std::mutex> guard(mutex_);
  receivers_[subtask.id()] = subtask;
}

void remote_data_plane::remove_receiver(caf::actor_id subtask) {
  std::lock_guard<std::mutex> guard(mutex_);
  receivers_.erase(subtask);
  for (auto it = linked_.begin(); it != linked_.end();) {
    it->second.erase(subtask);
    it = it->second.empty() ? linked_.erase(it) : std::next(it);
  }
}

std::shared_ptr<data_link> remote_data_plane::open(const std::string& peer,
                                                   caf::actor_id subtask) {
  {
    // Recorded first: the connection's end, even right after it opened, reaches the subtask.
    std::lock_guard<std::mutex> guard(mutex_);
    linked_[peer].insert(subtask);
  }
  return connections_.open(peer);
}

void remote_data_plane::deliver(data_frame&& f) {
  caf::actor to;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = receivers_.find(f.receiver);
    if (it == receivers_.end()) // a subtask gone with its attempt: its data goes too
      return buffer_pool::process().give(std::move(f.bytes));
    to = it->second;
  }
  switch (f.type) {
    case data_frame::kind::batch:
      caf::anon_send(to, batch_msg{f.channel, f.count, f.records, std::move(f.bytes)});
      break;
    case data_frame::kind::event:
      caf::anon_send(to, event_msg{f.channel, f.event, f.value});
      break;
    case data_frame::kind::credit:
      caf::anon_send(to, credit_msg{f.channel, f.count});
      break;
    default: // not a kind this version sends
      break;
  }
}

void remote_data_plane::lost(const std::string& peer, const std::string& why) {
  std::vector<caf::actor> subtasks;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (auto linked = linked_.find(peer); linked != linked_.end())
      for (const auto id : linked->second)
        if (auto it = receivers_.find(id); it != receivers_.end())
          subtasks.push_back(it->second);
  }
  for (const auto& subtask : subtasks)
    caf::anon_send(subtask, data_connection_lost_msg{peer, why, false});
}

} // namespace sluice
