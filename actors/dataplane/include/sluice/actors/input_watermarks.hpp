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

private:
  /// Runs f on the channel's tracker and folds its effect into the combined watermark.
  template <class F>
  change apply(int channel, F&& f);

  std::vector<watermark_tracker> trackers_;         ///< one per input
  std::vector<std::pair<int, int>> where_;          ///< channel -> (input, channel in input)
  std::optional<watermark_combiner> combiner_;      ///< with two inputs
};

} // namespace sluice
