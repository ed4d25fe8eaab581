#include "sluice/actors/input_gate.hpp"

#include <algorithm>

#include <string>
#include <utility>

namespace sluice {

input_gate::input_gate(int channels, int exclusive_credits, int floating_credits, grant_fn grant,
                       subtask_counters& counters)
    : channels_(static_cast<std::size_t>(channels)),
      unsent_(static_cast<std::size_t>(channels)), exclusive_(exclusive_credits),
      free_floating_(floating_credits), grant_(std::move(grant)), counters_(counters) {}

void input_gate::start() {
  for (int ch = 0; ch < channel_count(); ++ch)
    grant(ch, exclusive_);
}

void input_gate::send_grants() {
  if (!any_unsent_)
    return;
  any_unsent_ = false;
  for (std::size_t ch = 0; ch < unsent_.size(); ++ch)
    if (auto n = std::exchange(unsent_[ch], 0); n > 0)
      grant_(static_cast<int>(ch), n);
}

void input_gate::check_channel(int ch, const char* what) const {
  if (ch < 0 || ch >= channel_count())
    throw protocol_error(std::string(what) + " on input channel " + std::to_string(ch) +
                         ", which does not exist (the gate has " +
                         std::to_string(channel_count()) + " channels)");
}

event_kind input_gate::event_kind_of(int ch, std::uint8_t kind) const {
  check_channel(ch, "event");
  if (kind > static_cast<std::uint8_t>(event_kind::active))
    throw protocol_error("event of unknown kind " + std::to_string(kind) + " on input channel " +
                         std::to_string(ch));
  return static_cast<event_kind>(kind);
}

void input_gate::on_batch(int ch, std::vector<char>&& bytes, std::uint32_t records,
                          std::int32_t backlog) {
  check_channel(ch, "batch");
  auto& c = channels_[static_cast<std::size_t>(ch)];
  if (c.outstanding == 0)
    throw protocol_error("batch on input channel " + std::to_string(ch) + " without credit");
  --c.outstanding;
  --outstanding_total_;
  ++c.buffered;
  c.backlog = backlog;
  counters_.max_in_flight.raise_to(static_cast<std::uint64_t>(c.buffered));
  counters_.batches_in.add();
  input_item it;
  it.channel = ch;
  it.bytes = std::move(bytes);
  it.records = records;
  c.queue.push_back(std::move(it));
  ++queued_;
  distribute_floating();
  publish_outstanding();
}

void input_gate::on_event(int ch, event_kind kind, std::int64_t value) {
  input_item it;
  it.channel = ch;
  it.is_event = true;
  it.kind = kind;
  it.value = value;
  check_channel(ch, "event");
  channels_[static_cast<std::size_t>(ch)].queue.push_back(std::move(it));
  ++queued_;
}

bool input_gate::has_input() const {
  if (blocked_count_ == 0 && held_count_ == 0)
    return queued_ > 0;
  for (const auto& c : channels_)
    if (!skipped(c) && !c.queue.empty())
      return true;
  return false;
}

input_item input_gate::next() {
  while (!resumed_.empty()) {
    auto ch = resumed_.front();
    const auto& c = channels_[ch];
    if (!skipped(c) && !c.queue.empty())
      return take(ch);
    resumed_.pop_front();
  }
  for (std::size_t i = 0; i < channels_.size(); ++i) {
    auto ch = (next_channel_ + i) % channels_.size();
    const auto& c = channels_[ch];
    if (skipped(c) || c.queue.empty())
      continue;
    next_channel_ = (ch + 1) % channels_.size();
    return take(ch);
  }
  throw std::logic_error("input_gate::next without input");
}

void input_gate::block(int ch) {
  auto& c = channels_.at(static_cast<std::size_t>(ch));
  if (c.blocked)
    return;
  c.blocked = true;
  ++blocked_count_;
  block_order_.push_back(static_cast<std::size_t>(ch));
}

void input_gate::unblock_all() {
  for (auto ch : block_order_) {
    channels_[ch].blocked = false;
    resumed_.push_back(ch);
  }
  block_order_.clear();
  blocked_count_ = 0;
}

void input_gate::hold(int ch) {
  auto& c = channels_.at(static_cast<std::size_t>(ch));
  if (c.held)
    return;
  c.held = true;
  ++held_count_;
}

void input_gate::release(int ch) {
  auto& c = channels_.at(static_cast<std::size_t>(ch));
  if (!c.held)
    return;
  c.held = false;
  --held_count_;
  distribute_floating();
}

bool input_gate::remove_barrier(int ch, std::int64_t barrier_id) {
  auto& queue = channels_.at(static_cast<std::size_t>(ch)).queue;
  auto it = std::find_if(queue.begin(), queue.end(), [&](const input_item& item) {
    return item.is_event && item.kind == event_kind::barrier && item.value == barrier_id;
  });
  if (it == queue.end())
    return false;
  queue.erase(it);
  --queued_;
  return true;
}

input_item input_gate::take(std::size_t ch) {
  auto& c = channels_[ch];
  input_item it = std::move(c.queue.front());
  c.queue.pop_front();
  --queued_;
  if (it.is_event) {
    if (it.kind == event_kind::end_of_input) {
      c.ended = true;
      ++ended_;
    }
    return it;
  }
  --c.buffered;
  // The freed buffer returns to the channel while it holds fewer than its exclusive credits
  // or its sender has a backlog; a floating one otherwise goes back to the pool.
  if (c.floating > 0 && c.backlog <= c.outstanding) {
    --c.floating;
    ++free_floating_;
    distribute_floating();
  } else if (!c.ended) {
    grant(static_cast<int>(ch), 1);
  }
  publish_outstanding();
  return it;
}

void input_gate::grant(int ch, int n) {
  auto& c = channels_[static_cast<std::size_t>(ch)];
  c.outstanding += n;
  outstanding_total_ += static_cast<std::uint64_t>(n);
  counters_.max_credits.raise_to(static_cast<std::uint64_t>(c.outstanding + c.buffered));
  unsent_[static_cast<std::size_t>(ch)] += n;
  any_unsent_ = true;
}

void input_gate::distribute_floating() {
  for (std::size_t ch = 0; ch < channels_.size() && free_floating_ > 0; ++ch) {
    auto& c = channels_[ch];
    while (!c.ended && !c.held && free_floating_ > 0 && c.backlog > c.outstanding) {
      --free_floating_;
      ++c.floating;
      grant(static_cast<int>(ch), 1);
    }
  }
}

void input_gate::publish_outstanding() { counters_.credits_outstanding.set(outstanding_total_); }

} // namespace sluice
