#pragma once
// The input side of a subtask: one queue per input channel and the credits granted to the
// senders (exclusive per channel, floating per gate, handed out by announced backlog).
// No CAF here: credit grants go through a callback the subtask actor provides, called by
// send_grants() once per channel for all credits granted since (a batch's arrival and its
// taking often grant twice on one channel: one message instead of two). A blocked channel
// (barrier alignment) is skipped: its items stay queued, bounded by its credits, and once
// resumed it is drained before the round robin goes on. A held channel (watermark alignment:
// its watermark runs ahead) is skipped the same way, except while a barrier's alignment blocks
// a channel: then held channels are taken, so that their barriers arrive; it gets no floating
// credits.

#include "sluice/actors/channel_event.hpp"
#include "sluice/actors/subtask_counters.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <stdexcept>
#include <vector>

namespace sluice {

/// A sender broke the credit protocol (sent a batch without credit).
class protocol_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// One unit of input: a batch of records or an event.
struct input_item {
  int channel = 0;
  bool is_event = false;
  event_kind kind = event_kind::end_of_input;
  std::int64_t value = 0;
  std::vector<char> bytes;
  std::uint32_t records = 0;
};

class input_gate {
public:
  using grant_fn = std::function<void(int channel, int credits)>;

  input_gate(int channels, int exclusive_credits, int floating_credits, grant_fn grant,
             subtask_counters& counters);

  /// Grants every channel its exclusive credits.
  void start();
  /// Sends the credits granted since the last call: one grant per channel. Call it before
  /// processing a batch taken and at the end of every step that touched the gate.
  void send_grants();
  /// A batch arrived; throws protocol_error if the channel had no credit or is not one of
  /// the gate's.
  void on_batch(int ch, std::vector<char>&& bytes, std::uint32_t records, std::int32_t backlog);
  /// An event arrived; throws protocol_error if the channel is not one of the gate's.
  void on_event(int ch, event_kind kind, std::int64_t value);
  /// Throws protocol_error naming `what` (a batch, an event) and `ch` unless channel `ch`
  /// exists: a message's channel index comes from the network.
  void check_channel(int ch, const char* what) const;
  /// The event_kind of an event_msg's kind byte received on channel `ch`; throws
  /// protocol_error naming the byte and the channel if either is invalid.
  event_kind event_kind_of(int ch, std::uint8_t kind) const;

  /// Whether an item can be taken (from a channel that is not blocked).
  bool has_input() const;
  /// Takes the next item: first from channels resumed by unblock_all (until they are drained),
  /// then round robin over the channels that are not blocked; a taken batch frees its credit.
  input_item next();
  /// Stops taking items from channel `ch` until unblock_all.
  void block(int ch);
  /// Resumes every blocked channel.
  void unblock_all();
  bool is_blocked(int ch) const { return channels_[static_cast<std::size_t>(ch)].blocked; }
  /// Stops taking items from channel `ch` until release(ch), except while a channel is blocked.
  void hold(int ch);
  /// Takes items from channel `ch` again.
  void release(int ch);
  bool is_held(int ch) const { return channels_[static_cast<std::size_t>(ch)].held; }
  /// Calls f(item) for every batch queued on a channel that is not blocked, channel by channel,
  /// in order, up to a queued barrier `barrier_id` (what an unaligned snapshot captures).
  template <class F>
  void for_each_batch_before_barrier(std::int64_t barrier_id, F&& f) const {
    for (const auto& c : channels_) {
      if (c.blocked)
        continue;
      for (const auto& item : c.queue) {
        if (item.is_event && item.kind == event_kind::barrier && item.value == barrier_id)
          break;
        if (!item.is_event)
          f(item);
      }
    }
  }
  /// Takes barrier `barrier_id` out of channel `ch`'s queue (it overtakes the input before
  /// it); returns whether it was queued.
  bool remove_barrier(int ch, std::int64_t barrier_id);

  /// Whether end of input arrived on every channel.
  bool all_ended() const { return ended_ == static_cast<int>(channels_.size()); }
  /// Whether the end of input of channel `ch` was taken.
  bool ended(int ch) const { return channels_.at(static_cast<std::size_t>(ch)).ended; }
  int channel_count() const { return static_cast<int>(channels_.size()); }
  /// Credits the channel's sender holds now.
  int outstanding(int ch) const { return channels_[static_cast<std::size_t>(ch)].outstanding; }

private:
  struct channel {
    std::deque<input_item> queue;
    int outstanding = 0; ///< credits granted and not yet used by the sender
    int buffered = 0;    ///< batches received and not yet taken
    int floating = 0;    ///< floating credits held (part of outstanding + buffered)
    int backlog = 0;     ///< batches the sender said it has waiting
    bool ended = false;
    bool blocked = false;
    bool held = false;
  };

  /// Whether next() passes channel `c` by: blocked, or held while no channel is blocked.
  bool skipped(const channel& c) const { return c.blocked || (c.held && blocked_count_ == 0); }

  /// Takes the front item of channel `ch` (not empty).
  input_item take(std::size_t ch);
  void grant(int ch, int n);
  void distribute_floating();
  void publish_outstanding();

  std::vector<channel> channels_;
  std::vector<int> unsent_; ///< credits granted per channel and not yet sent
  bool any_unsent_ = false;
  int exclusive_;
  int free_floating_;
  grant_fn grant_;
  subtask_counters& counters_;
  std::size_t next_channel_ = 0;
  std::size_t queued_ = 0;
  int blocked_count_ = 0;
  int held_count_ = 0;
  std::vector<std::size_t> block_order_; ///< the blocked channels, in the order they were blocked
  std::deque<std::size_t> resumed_;      ///< channels to drain first, in that order
  int ended_ = 0;
  std::uint64_t outstanding_total_ = 0;
};

} // namespace sluice
