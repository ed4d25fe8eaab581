#pragma once
// How a window operator fires and when it drops state: its trigger, allowed lateness and late
// data side output; lateness arithmetic.

#include "sluice/operators/windows/triggers.hpp"

#include <cstdint>
#include <limits>
#include <memory>
#include <string>

namespace sluice {

namespace windows_detail {

/// a + b for b >= 0, saturating at INT64_MAX (Flink relies on Java's wrap-around checks).
inline std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  return a > std::numeric_limits<std::int64_t>::max() - b ? std::numeric_limits<std::int64_t>::max()
                                                          : a + b;
}

} // namespace windows_detail

/// How a window operator fires and when it drops state.
template <class W> struct window_settings {
  std::shared_ptr<const trigger<W>> window_trigger; ///< null: the assigner's default
  std::int64_t allowed_lateness = 0;                ///< ms, >= 0
  std::string late_data_tag;                        ///< side output of late records; "" = drop
};

} // namespace sluice
