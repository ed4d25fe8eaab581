#pragma once
// Event-time watermarks: a watermark `t` states that no more elements with timestamp <= t are
// expected (Flink's org.apache.flink.api.common.eventtime.Watermark).

#include <cstdint>
#include <limits>

namespace sluice {

/// The watermark before any progress: every timestamp is still possible.
inline constexpr std::int64_t min_watermark = std::numeric_limits<std::int64_t>::min();
/// The end of event time: sent at the end of input; fires every remaining timer.
inline constexpr std::int64_t max_watermark = std::numeric_limits<std::int64_t>::max();

} // namespace sluice
