#pragma once

#include <cstdint>

namespace sluice {

/// In-band events: they travel on a channel in order with its batches.
enum class event_kind : std::uint8_t {
  watermark = 0,    ///< value: the watermark
  barrier = 1,      ///< value: the checkpoint id
  end_of_input = 2, ///< no more data on this channel
  idle = 3,         ///< the channel's watermarks stop holding others back
  active = 4,       ///< the channel's watermarks count again
};

} // namespace sluice
