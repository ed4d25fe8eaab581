#pragma once
// The watermark of a subtask's input: per input of the head operator, the minimum over its
// channels (watermark_tracker); for a two-input operator, the minimum of both inputs
// (watermark_combiner). No CAF here.

#include "sluice/actors/channel_layout.hpp"
#include "sluice/operators/time/watermark_combiner.hpp"
#include "sluice/operators/time/watermark_tracker.hpp"

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace sluice {

class input_watermarks {
public:
  /// What an event changed: the combined watermark advanced, the combined status flipped.
  struct change {
    std::optional<std::int64_t> watermark;
    std::optional<bool> idle;
  };

  explicit input_watermarks(const std::vector<channel_peer>& inputs);

  change on_watermark(int channel, std::int64_t wm);
  change on_idle(int channel);
  change on_active(int channel);
  change on_end_of_input(int channel);

  /// The subtask's input watermark: over its channels, and over both inputs of a two-input
  /// operator.
  std::int64_t current() const;
  /// The last watermark of `channel` (min_watermark before its first).
  std::int64_t channel_watermark(int channel) const;
  /// Whether `channel` holds its input's watermark back or may (active, not behind it).
  bool channel_aligned(int channel) const;

private:
  /// Runs f on the channel's tracker and folds its effect into the combined watermark.
  template <class F>
  change apply(int channel, F&& f);

  std::vector<watermark_tracker> trackers_;         ///< one per input
  std::vector<std::pair<int, int>> where_;          ///< channel -> (input, channel in input)
  std::optional<watermark_combiner> combiner_;      ///< with two inputs
};

} // namespace sluice
