#include "sluice/operators/time/watermark_tracker.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sluice {

watermark_tracker::watermark_tracker(int channels) {
  if (channels < 1)
    throw std::invalid_argument("watermark_tracker: at least one channel is required");
  channels_.resize(static_cast<std::size_t>(channels));
}

std::size_t watermark_tracker::index(int channel) const {
  if (channel < 0 || channel >= channel_count())
    throw std::out_of_range("watermark_tracker: no channel " + std::to_string(channel));
  return static_cast<std::size_t>(channel);
}

std::optional<std::int64_t> watermark_tracker::on_watermark(int channel, std::int64_t wm) {
  auto& ch = channels_[index(channel)];
  if (ch.idle || wm <= ch.watermark)
    return std::nullopt;
  ch.watermark = wm;
  if (!ch.aligned && wm >= combined_)
    ch.aligned = true; // caught up
  return advance_to_aligned_min();
}

std::optional<std::int64_t> watermark_tracker::on_idle(int channel) {
  auto& ch = channels_[index(channel)];
  if (ch.idle)
    return std::nullopt;
  ch.idle = true;
  ch.aligned = false;
  bool held_minimum = ch.watermark == combined_;
  bool any_active = std::any_of(channels_.begin(), channels_.end(),
                                [](const channel_state& c) { return !c.idle; });
  if (any_active)
    return held_minimum ? advance_to_aligned_min() : std::nullopt;
  idle_ = true;
  return held_minimum ? advance_to_max() : std::nullopt;
}

void watermark_tracker::on_active(int channel) {
  auto& ch = channels_[index(channel)];
  if (!ch.idle)
    return;
  ch.idle = false;
  ch.aligned = ch.watermark >= combined_;
  idle_ = false;
}

std::optional<std::int64_t> watermark_tracker::on_end_of_input(int channel) {
  on_active(channel);
  return on_watermark(channel, max_watermark);
}

std::optional<std::int64_t> watermark_tracker::advance_to_aligned_min() {
  std::optional<std::int64_t> min;
  for (const auto& c : channels_)
    if (c.aligned)
      min = min ? std::min(*min, c.watermark) : c.watermark;
  if (!min || *min <= combined_)
    return std::nullopt;
  combined_ = *min;
  return combined_;
}

std::optional<std::int64_t> watermark_tracker::advance_to_max() {
  std::int64_t max = min_watermark;
  for (const auto& c : channels_)
    max = std::max(max, c.watermark);
  if (max <= combined_)
    return std::nullopt;
  combined_ = max;
  return combined_;
}

} // namespace sluice
