#include "sluice/actors/watermark_alignment.hpp"

#include "sluice/operators/time/watermark.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace sluice {

watermark_alignment::watermark_alignment(std::int64_t max_drift_ms) : max_drift_(max_drift_ms) {
  if (max_drift_ms <= 0)
    throw std::invalid_argument("watermark_alignment: the maximum drift must be > 0 ms");
}

bool watermark_alignment::ahead(int channel, std::int64_t input_watermark,
                                const input_watermarks& watermarks,
                                const input_gate& gate) const {
  // No reference before every channel sent a watermark (or went idle), none for a channel
  // that ended or is idle, and none the drift cannot be added to.
  if (input_watermark == min_watermark || gate.ended(channel) ||
      !watermarks.channel_aligned(channel) ||
      input_watermark > std::numeric_limits<std::int64_t>::max() - max_drift_)
    return false;
  return watermarks.channel_watermark(channel) > input_watermark + max_drift_;
}

void watermark_alignment::update(const input_watermarks& watermarks, input_gate& gate) {
  const std::int64_t input_watermark = watermarks.current();
  for (int ch = 0; ch < gate.channel_count(); ++ch) {
    const bool too_far = ahead(ch, input_watermark, watermarks, gate);
    if (too_far && !gate.is_held(ch)) {
      gate.hold(ch);
      held_.push_back(ch);
    } else if (!too_far && gate.is_held(ch)) {
      gate.release(ch);
      held_.erase(std::find(held_.begin(), held_.end(), ch));
    }
  }
}

} // namespace sluice
