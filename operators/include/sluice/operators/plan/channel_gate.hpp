#pragma once
// The output channels of one network edge, as the record writers of that edge see them.
// Appending a record is inline (a memcpy into the open batch and a size check); only a full
// batch, a watermark or the end go through the runtime, via gate_target.

#include "sluice/operators/time/timestamps.hpp"
#include "sluice/state/byte_buffer.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sluice {

/// The open batch of one output channel.
struct channel_buffer {
  std::vector<char> bytes;
  byte_writer writer; ///< over bytes, which are pre-sized: appending is a memcpy
  std::uint32_t records = 0;
  std::size_t flush_bytes = 0; ///< the batch ships once it holds this many bytes (0: every record)
};

/// What the runtime does with full batches and events (implemented by the output gate).
class gate_target {
public:
  virtual ~gate_target() = default;
  /// Ships channel `ch`'s open batch.
  virtual void flush(int ch) = 0;
  /// Flushes and sends a watermark on channels [first, first + n).
  virtual void emit_watermark(int first, int n, std::int64_t wm) = 0;
  /// Flushes and sends a watermark status (idle or active) on channels [first, first + n).
  virtual void emit_watermark_status(int first, int n, bool idle) = 0;
};

class channel_gate {
public:
  /// Channels [first, first + n) of `buffers`; a channel's batch ships once it holds its
  /// buffer's `flush_bytes`. With `stamp`, each record is preceded by its timestamp.
  channel_gate(channel_buffer* buffers, int first, int n, gate_target& target,
               const timestamp_slot* stamp = nullptr)
      : buffers_(buffers + first), first_(first), n_(n), target_(target), stamp_(stamp) {}

  /// The timestamp slot of the records written, if this edge carries timestamps.
  const timestamp_slot* stamp() const { return stamp_; }

  /// The writer of channel `ch`'s open batch; records are serialized into it.
  byte_writer& writer(int ch) { return buffers_[ch].writer; }
  /// One record was appended to channel `ch`.
  void record_written(int ch) {
    auto& b = buffers_[ch];
    ++b.records;
    if (b.writer.size() >= b.flush_bytes)
      target_.flush(first_ + ch);
  }
  /// Sends a watermark on every channel of this edge (after flushing their batches).
  void emit_watermark(std::int64_t wm) { target_.emit_watermark(first_, n_, wm); }
  void emit_watermark_status(bool idle) { target_.emit_watermark_status(first_, n_, idle); }
  int channel_count() const { return n_; }

private:
  channel_buffer* buffers_;
  int first_;
  int n_;
  gate_target& target_;
  const timestamp_slot* stamp_;
};

} // namespace sluice
