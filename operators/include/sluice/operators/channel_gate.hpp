#pragma once

#include <cstdint>
#include <vector>

namespace sluice {

/// The output gate of one network edge, as the record writers of that edge see it.
/// Implemented by the runtime; channels are numbered 0..channel_count()-1 for this edge.
class channel_gate {
public:
  virtual ~channel_gate() = default;
  /// The open buffer of a channel; records are appended to it.
  virtual std::vector<char>& buffer(int channel) = 0;
  /// One record was appended to the channel's buffer (the gate ships it when full).
  virtual void record_written(int channel) = 0;
  /// Sends a watermark on every channel of this edge (after flushing their buffers).
  virtual void emit_watermark(std::int64_t wm) = 0;
  virtual int channel_count() const = 0;
};

} // namespace sluice
