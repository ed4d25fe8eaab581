#include "sluice/actors/input_watermarks.hpp"

namespace sluice {

input_watermarks::input_watermarks(const std::vector<channel_peer>& inputs) {
  std::vector<int> per_input;
  for (const auto& peer : inputs) {
    if (per_input.size() <= static_cast<std::size_t>(peer.input))
      per_input.resize(static_cast<std::size_t>(peer.input) + 1, 0);
    where_.emplace_back(peer.input, per_input[static_cast<std::size_t>(peer.input)]++);
  }
  for (int n : per_input)
    trackers_.emplace_back(n);
  if (trackers_.size() > 1)
    combiner_.emplace(static_cast<int>(trackers_.size()));
}

template <class F>
input_watermarks::change input_watermarks::apply(int channel, F&& f) {
  auto [input, local] = where_.at(static_cast<std::size_t>(channel));
  auto& tracker = trackers_[static_cast<std::size_t>(input)];
  bool was_idle = tracker.idle();
  std::optional<std::int64_t> advanced = f(tracker, local);
  bool status_changed = tracker.idle() != was_idle;
  change out;
  if (!combiner_) {
    out.watermark = advanced;
    if (status_changed)
      out.idle = tracker.idle();
    return out;
  }
  bool combined_was_idle = combiner_->idle();
  if (status_changed)
    out.watermark = combiner_->on_status(input, tracker.idle());
  if (advanced)
    if (auto wm = combiner_->on_watermark(input, *advanced))
      out.watermark = wm;
  if (combiner_->idle() != combined_was_idle)
    out.idle = combiner_->idle();
  return out;
}

input_watermarks::change input_watermarks::on_watermark(int channel, std::int64_t wm) {
  return apply(channel, [&](watermark_tracker& t, int ch) { return t.on_watermark(ch, wm); });
}

input_watermarks::change input_watermarks::on_idle(int channel) {
  return apply(channel, [](watermark_tracker& t, int ch) { return t.on_idle(ch); });
}

input_watermarks::change input_watermarks::on_active(int channel) {
  return apply(channel, [](watermark_tracker& t, int ch) {
    t.on_active(ch);
    return std::optional<std::int64_t>{};
  });
}

input_watermarks::change input_watermarks::on_end_of_input(int channel) {
  return apply(channel, [](watermark_tracker& t, int ch) { return t.on_end_of_input(ch); });
}

std::int64_t input_watermarks::current() const {
  return combiner_ ? combiner_->current() : trackers_.front().current();
}

std::int64_t input_watermarks::channel_watermark(int channel) const {
  auto [input, local] = where_.at(static_cast<std::size_t>(channel));
  return trackers_[static_cast<std::size_t>(input)].channel_watermark(local);
}

bool input_watermarks::channel_aligned(int channel) const {
  auto [input, local] = where_.at(static_cast<std::size_t>(channel));
  return trackers_[static_cast<std::size_t>(input)].channel_aligned(local);
}

} // namespace sluice
