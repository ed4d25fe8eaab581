#pragma once
// Watermark alignment on the consuming side (--watermark-alignment-ms): a subtask stops taking
// input from a channel whose watermark runs ahead of its input watermark by more than the
// maximum drift. The channel's batches stay queued, its credits run out and its sender stops,
// so a fast upstream subtask waits for a slow one instead of the state between their
// watermarks growing without bound (Flink bounds the same with watermark alignment of sources).
// The input watermark is the minimum over the channels, so its channel is never held and the
// job always progresses; while a barrier's alignment blocks a channel, the gate takes held
// channels too (input_gate), so checkpoints complete. No CAF here.

#include "sluice/actors/input_gate.hpp"
#include "sluice/actors/input_watermarks.hpp"

#include <cstdint>
#include <vector>

namespace sluice {

class watermark_alignment {
public:
  /// Holds channels more than `max_drift_ms` (> 0) of event time ahead.
  explicit watermark_alignment(std::int64_t max_drift_ms);

  /// After an event went through `watermarks`: holds in `gate` the channels now too far ahead
  /// and releases the held ones the input watermark came close to (a look at each channel:
  /// watermark events are rare).
  void update(const input_watermarks& watermarks, input_gate& gate);

  /// The channels held now, in the order they were held.
  const std::vector<int>& held() const { return held_; }

private:
  /// Whether `channel` is more than the maximum drift ahead of `input_watermark`.
  bool ahead(int channel, std::int64_t input_watermark, const input_watermarks& watermarks,
             const input_gate& gate) const;

  std::int64_t max_drift_;
  std::vector<int> held_;
};

} // namespace sluice
