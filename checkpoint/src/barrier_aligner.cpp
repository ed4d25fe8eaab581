#include "sluice/checkpoint/barrier_aligner.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sluice {

namespace {

barrier_action make_action(barrier_action::kind what, std::int64_t id) {
  barrier_action a;
  a.what = what;
  a.checkpoint_id = id;
  return a;
}

} // namespace

bool operator==(const barrier_action& a, const barrier_action& b) {
  return a.what == b.what && a.checkpoint_id == b.checkpoint_id && a.unaligned == b.unaligned &&
         a.in_flight_channels == b.in_flight_channels && a.first_barrier_ms == b.first_barrier_ms &&
         a.alignment_ms == b.alignment_ms && a.cause == b.cause;
}

barrier_aligner::barrier_aligner(int channels, checkpointing_mode mode, bool unaligned,
                                 std::int64_t aligned_timeout_ms)
    : mode_(mode), unaligned_(unaligned), aligned_timeout_ms_(aligned_timeout_ms) {
  if (channels < 1)
    throw std::invalid_argument("an input gate needs at least one channel, not " +
                                std::to_string(channels));
  if (unaligned && mode != checkpointing_mode::exactly_once)
    throw std::invalid_argument("unaligned checkpoints need exactly-once mode");
  if (aligned_timeout_ms < 0 || (aligned_timeout_ms > 0 && !unaligned))
    throw std::invalid_argument("an aligned checkpoint timeout (" +
                                std::to_string(aligned_timeout_ms) +
                                " ms) must be >= 0, and > 0 only with unaligned checkpoints");
  finished_.assign(static_cast<std::size_t>(channels), false);
}

void barrier_aligner::check_channel(int channel) const {
  if (channel < 0 || channel >= channels())
    throw std::out_of_range("input channel " + std::to_string(channel) + " of a gate with " +
                            std::to_string(channels()) + " channels");
}

bool barrier_aligner::is_blocked(int channel) const {
  check_channel(channel);
  return current_ && current_->state == phase::aligning && current_->barrier[channel];
}

bool barrier_aligner::records_in_flight(int channel) const {
  check_channel(channel);
  return current_ && current_->state == phase::capturing && !current_->barrier[channel] &&
         !finished_[channel];
}

std::optional<std::int64_t> barrier_aligner::current_checkpoint() const {
  if (!current_)
    return std::nullopt;
  return current_->id;
}

std::optional<std::int64_t> barrier_aligner::alignment_deadline_ms() const {
  if (!current_ || current_->state != phase::aligning || aligned_timeout_ms_ == 0 ||
      !may_go_unaligned(current_->id))
    return std::nullopt;
  // The switch happens at more than the timeout after the first barrier.
  return current_->first_barrier_ms + aligned_timeout_ms_ + 1;
}

bool barrier_aligner::all_arrived() const {
  for (std::size_t c = 0; c < finished_.size(); ++c)
    if (!finished_[c] && !current_->barrier[c])
      return false;
  return true;
}

barrier_actions barrier_aligner::on_barrier(int channel, std::int64_t checkpoint_id,
                                            std::int64_t now_ms) {
  check_channel(channel);
  const auto where =
      "barrier " + std::to_string(checkpoint_id) + " on input channel " + std::to_string(channel);
  if (finished_[channel])
    throw std::logic_error(where + ", which has finished");
  if (is_blocked(channel))
    throw std::logic_error(where + ", which is blocked");
  if (current_ && current_->id == checkpoint_id) {
    if (current_->barrier[channel])
      throw std::logic_error(where + " a second time");
    current_->barrier[channel] = true;
    return advance(now_ms);
  }
  if (checkpoint_id <= latest_id_) // an aborted or older checkpoint
    return poll(now_ms);
  barrier_actions out;
  if (current_) {
    auto aborted = make_action(barrier_action::kind::abort_checkpoint, current_->id);
    aborted.cause = barrier_action::abort_cause::newer_barrier;
    out.push_back(aborted);
    if (current_->state == phase::aligning)
      out.push_back(make_action(barrier_action::kind::unblock_all, current_->id));
    current_.reset();
  }
  for (auto& a : start(channel, checkpoint_id, now_ms))
    out.push_back(std::move(a));
  return out;
}

void barrier_aligner::align(std::int64_t checkpoint_id) {
  if (checkpoint_id > latest_id_)
    aligned_ids_.insert(checkpoint_id);
}

void barrier_aligner::on_barrier_announced(std::int64_t checkpoint_id, std::int64_t now_ms) {
  if (aligned_timeout_ms_ == 0 || !may_go_unaligned(checkpoint_id) || current_ ||
      checkpoint_id <= latest_id_)
    return;
  latest_id_ = checkpoint_id;
  current_ = in_progress{checkpoint_id, phase::aligning, now_ms,
                         std::vector<bool>(finished_.size(), false)};
}

barrier_actions barrier_aligner::on_end_of_partition(int channel, std::int64_t now_ms) {
  check_channel(channel);
  if (finished_[channel])
    throw std::logic_error("end of partition on input channel " + std::to_string(channel) +
                           " a second time");
  if (is_blocked(channel))
    throw std::logic_error("end of partition on input channel " + std::to_string(channel) +
                           ", which is blocked");
  finished_[channel] = true;
  return current_ ? advance(now_ms) : barrier_actions{};
}

barrier_actions barrier_aligner::abort(std::int64_t checkpoint_id) {
  latest_id_ = std::max(latest_id_, checkpoint_id);
  if (!current_ || current_->id != checkpoint_id)
    return {};
  barrier_actions out;
  auto aborted = make_action(barrier_action::kind::abort_checkpoint, checkpoint_id);
  aborted.cause = barrier_action::abort_cause::coordinator;
  out.push_back(aborted);
  if (current_->state == phase::aligning)
    out.push_back(make_action(barrier_action::kind::unblock_all, checkpoint_id));
  current_.reset();
  return out;
}

barrier_actions barrier_aligner::poll(std::int64_t now_ms) {
  return current_ ? advance(now_ms) : barrier_actions{};
}

barrier_actions barrier_aligner::start(int channel, std::int64_t id, std::int64_t now_ms) {
  latest_id_ = id;
  aligned_ids_.erase(aligned_ids_.begin(), aligned_ids_.lower_bound(id));
  phase state = phase::aligning;
  if (mode_ == checkpointing_mode::at_least_once)
    state = phase::tracking;
  else if (may_go_unaligned(id) && aligned_timeout_ms_ == 0)
    state = phase::capturing;
  current_ = in_progress{id, state, now_ms, std::vector<bool>(finished_.size(), false)};
  current_->barrier[channel] = true;
  if (state != phase::capturing)
    return advance(now_ms);
  barrier_actions out{unaligned_trigger(now_ms)};
  for (auto& a : advance(now_ms))
    out.push_back(std::move(a));
  return out;
}

barrier_actions barrier_aligner::advance(std::int64_t now_ms) {
  const auto id = current_->id;
  if (all_arrived()) {
    barrier_actions out;
    if (current_->state == phase::capturing) {
      out.push_back(make_action(barrier_action::kind::in_flight_complete, id));
    } else {
      auto trigger = make_action(barrier_action::kind::trigger_snapshot, id);
      trigger.first_barrier_ms = current_->first_barrier_ms;
      trigger.alignment_ms = now_ms - current_->first_barrier_ms;
      out.push_back(trigger);
      if (current_->state == phase::aligning)
        out.push_back(make_action(barrier_action::kind::unblock_all, id));
    }
    current_.reset();
    return out;
  }
  if (current_->state == phase::aligning && aligned_timeout_ms_ > 0 && may_go_unaligned(id) &&
      now_ms - current_->first_barrier_ms > aligned_timeout_ms_)
    return {unaligned_trigger(now_ms), make_action(barrier_action::kind::unblock_all, id)};
  return {};
}

barrier_action barrier_aligner::unaligned_trigger(std::int64_t now_ms) {
  current_->state = phase::capturing;
  auto trigger = make_action(barrier_action::kind::trigger_snapshot, current_->id);
  trigger.unaligned = true;
  for (std::size_t c = 0; c < finished_.size(); ++c)
    if (!finished_[c] && !current_->barrier[c])
      trigger.in_flight_channels.push_back(static_cast<int>(c));
  trigger.first_barrier_ms = current_->first_barrier_ms;
  trigger.alignment_ms = now_ms - current_->first_barrier_ms;
  return trigger;
}

} // namespace sluice
