#pragma once
// The watermark of a multi-input operator from the input watermarks of its inputs (Flink's
// IndexedCombinedWatermarkStatus, used by AbstractStreamOperator.processWatermark1/2): the
// minimum over the inputs that are not idle, monotonic, starting at min_watermark. Each input's
// watermark and idleness come from that input's watermark_tracker.

#include "sluice/operators/time/watermark.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

namespace sluice {

class watermark_combiner {
public:
  /// `inputs` (>= 1) inputs, all active at min_watermark.
  explicit watermark_combiner(int inputs = 2) {
    if (inputs < 1)
      throw std::invalid_argument("watermark_combiner: at least one input is required");
    inputs_.resize(static_cast<std::size_t>(inputs));
  }

  /// Input `input`'s watermark advanced to `wm` (this also makes the input active). Returns the
  /// new combined watermark if it advanced.
  std::optional<std::int64_t> on_watermark(int input, std::int64_t wm) {
    auto& in = at(input);
    in.idle = false;
    in.watermark = std::max(in.watermark, wm);
    return update();
  }
  /// Input `input` became idle (`idle`) or active again. Returns the new combined watermark if
  /// it advanced (an input rejoining ahead of all-idle inputs can advance it).
  std::optional<std::int64_t> on_status(int input, bool idle) {
    at(input).idle = idle;
    return update();
  }

  std::int64_t current() const { return combined_; }
  /// Whether every input is idle (the operator then reports idle downstream).
  bool idle() const { return idle_; }

private:
  struct input_state {
    std::int64_t watermark = min_watermark;
    bool idle = false;
  };

  input_state& at(int input) {
    if (input < 0 || input >= static_cast<int>(inputs_.size()))
      throw std::out_of_range("watermark_combiner: no such input");
    return inputs_[static_cast<std::size_t>(input)];
  }

  std::optional<std::int64_t> update() {
    std::optional<std::int64_t> min;
    for (const auto& in : inputs_)
      if (!in.idle)
        min = min ? std::min(*min, in.watermark) : in.watermark;
    idle_ = !min;
    if (!min || *min <= combined_)
      return std::nullopt;
    combined_ = *min;
    return combined_;
  }

  std::vector<input_state> inputs_;
  std::int64_t combined_ = min_watermark;
  bool idle_ = false;
};

} // namespace sluice
