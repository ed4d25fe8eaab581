#pragma once
// The output side of a subtask: one open buffer and one queue per channel, shipped against
// credits. No CAF here: sending goes through gate_transport, which the subtask actor implements.

#include "sluice/actors/channel_event.hpp"
#include "sluice/actors/subtask_counters.hpp"
#include "sluice/operators/plan/channel_gate.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace sluice {

/// Where an output gate sends batches and events.
class gate_transport {
public:
  virtual ~gate_transport() = default;
  virtual void send_batch(int channel, std::vector<char>&& bytes, std::uint32_t records,
                          std::int32_t backlog) = 0;
  virtual void send_event(int channel, event_kind kind, std::int64_t value) = 0;
};

class output_gate final : public gate_target {
public:
  /// A channel is congested once this many finished batches wait for credit on it.
  static constexpr std::size_t congestion_limit = 1;

  /// Every channel's batches hold `batch_bytes` (set_batch_bytes changes one channel's);
  /// `flush_every_record` ships each record at once instead.
  output_gate(int channels, std::size_t batch_bytes, bool flush_every_record,
              gate_transport& transport, subtask_counters& counters);

  /// Channel `ch`'s batches hold `bytes` from now on (a receiver in another process takes
  /// larger ones); its open batch must be empty.
  void set_batch_bytes(int ch, std::size_t bytes);

  /// The view the record writers of one edge use (channels [first, first + n)); with `stamp`
  /// the edge carries record timestamps.
  channel_gate& edge_view(int first_channel, int channels,
                          const timestamp_slot* stamp = nullptr);

  /// Ships the channel's open batch (if it holds records).
  void flush(int ch) override;
  void emit_watermark(int first, int n, std::int64_t wm) override {
    emit_event(first, n, event_kind::watermark, wm);
  }
  void emit_watermark_status(int first, int n, bool idle) override {
    emit_event(first, n, idle ? event_kind::idle : event_kind::active, 0);
  }
  void flush_all();
  /// Flushes and sends an event on channels [first, first + n).
  void emit_event(int first_channel, int channels, event_kind kind, std::int64_t value);
  void emit_event(event_kind kind, std::int64_t value) {
    emit_event(0, channel_count(), kind, value);
  }
  /// Unaligned checkpoints: flushes, then sends the event on every channel at once, ahead of
  /// the batches waiting for credit (still sent later); `overtaken` sees each of those, in order.
  void emit_event_overtaking(
      event_kind kind, std::int64_t value,
      const std::function<void(int ch, const std::vector<char>& bytes, std::uint32_t records)>&
          overtaken);
  /// Queues a batch produced earlier (in-flight output restored from a checkpoint).
  void enqueue_batch(int ch, std::vector<char> bytes, std::uint32_t records);
  /// The receiver of channel `ch` granted n more credits.
  void add_credit(int ch, int n);

  /// Whether more output may be produced (no channel is congested).
  bool available() const { return congested_ == 0; }
  /// Whether everything produced has been sent.
  bool drained() const { return queued_items_ == 0; }
  int channel_count() const { return static_cast<int>(channels_.size()); }

private:
  struct item {
    std::vector<char> bytes;
    std::uint32_t records = 0;
    bool is_event = false;
    event_kind kind = event_kind::end_of_input;
    std::int64_t value = 0;
  };
  struct channel {
    std::deque<item> queue;
    std::size_t queued_batches = 0;
    int credits = 0;
    std::size_t batch_bytes = 0;
    /// Room beyond the flush size in a new batch: the record that fills a batch is written
    /// whole, so the largest overshoot seen (at most batch_bytes) is kept free to avoid
    /// reallocating (when every record is flushed: room for the largest record).
    std::size_t slack = 64;
  };

  void open_buffer(int ch);
  void enqueue(int ch, item it);
  void send_ready(int ch);
  void update_congestion(channel& c, bool was_congested);

  std::vector<channel> channels_;
  std::unique_ptr<channel_buffer[]> buffers_;
  std::vector<std::unique_ptr<channel_gate>> views_;
  bool flush_every_record_;
  gate_transport& transport_;
  subtask_counters& counters_;
  int congested_ = 0;
  std::size_t queued_items_ = 0;
  std::chrono::steady_clock::time_point blocked_since_{};
};

} // namespace sluice
