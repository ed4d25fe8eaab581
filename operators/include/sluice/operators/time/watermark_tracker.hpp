#pragma once
// The input watermark of one input of a subtask, from the watermarks and idleness of its
// channels (Flink's StatusWatermarkValve).
//
// - The combined watermark starts at min_watermark, never decreases, and is the minimum over the
//   "aligned" channels: active channels whose watermark has reached the combined watermark.
// - An idle channel does not hold it back; watermarks arriving on an idle channel are ignored
//   (senders mark a channel active before sending on it again; watermark_output does this).
// - A channel that becomes active again with a watermark below the combined one is not aligned
//   until its watermark catches up, so it never moves the combined watermark backwards.
// - When the last active channel goes idle, the whole input is idle (idle()); if that channel
//   held the minimum, the combined watermark jumps to the maximum over all channels (Flink
//   flushes: no channel is left to advance it).
// - As in Flink, the minimum is only recomputed on a watermark and when the channel at the
//   combined watermark goes idle: a channel rejoining (on_active) or a channel above the minimum
//   going idle never advances it, even if the minimum over the aligned channels is now higher.
// - End of input is max_watermark on the channel.
//
// A two-input operator keeps one tracker per input and combines their outputs with
// watermark_combiner (as Flink's two-input operators do).

#include "sluice/operators/time/watermark.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace sluice {

class watermark_tracker {
public:
  /// An input of `channels` (>= 1) channels, all active at min_watermark.
  explicit watermark_tracker(int channels);

  /// Watermark `wm` on `channel`. Returns the new combined watermark if it advanced.
  std::optional<std::int64_t> on_watermark(int channel, std::int64_t wm);
  /// `channel` went idle. Returns the new combined watermark if it advanced.
  std::optional<std::int64_t> on_idle(int channel);
  /// `channel` is active again. Never advances the combined watermark, but ends idle().
  void on_active(int channel);
  /// `channel` ended: it is active at max_watermark. Returns the new combined watermark if it
  /// advanced.
  std::optional<std::int64_t> on_end_of_input(int channel);

  /// The combined watermark (min_watermark until every channel has sent one or gone idle).
  std::int64_t current() const { return combined_; }
  /// Whether every channel is idle (the subtask then reports this input idle downstream).
  bool idle() const { return idle_; }
  int channel_count() const { return static_cast<int>(channels_.size()); }
  std::int64_t channel_watermark(int channel) const { return channels_[index(channel)].watermark; }
  /// Whether `channel` currently takes part in the minimum.
  bool channel_aligned(int channel) const { return channels_[index(channel)].aligned; }

private:
  struct channel_state {
    std::int64_t watermark = min_watermark;
    bool idle = false;
    bool aligned = true;
  };

  /// The index of `channel`; throws std::out_of_range for a channel that does not exist.
  std::size_t index(int channel) const;
  /// Advances to the minimum over the aligned channels, if any and if higher.
  std::optional<std::int64_t> advance_to_aligned_min();
  /// Advances to the maximum over all channels, if higher.
  std::optional<std::int64_t> advance_to_max();

  std::vector<channel_state> channels_;
  std::int64_t combined_ = min_watermark;
  bool idle_ = false;
};

} // namespace sluice
