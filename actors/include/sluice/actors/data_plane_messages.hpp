#pragma once
// The data plane's messages between subtasks: batches of records and in-band events (in order on
// one channel), credits back to the sender, and a subtask's own messages that pace its input.
// Registered by register_messages() (messages.hpp).

#include "sluice/actors/buffer_pool.hpp"

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sluice {

/// The `channel` of a batch, event or credit on the wire: the channel index with the sender's
/// wiring generation in the high bits. A rescale in place rewires the subtasks it keeps, and a
/// message of the old wiring still on its way (a credit) must not count on the new one.
constexpr int max_channels = 1 << 20;
inline std::int32_t wire_channel(std::int32_t generation, int channel) {
  return static_cast<std::int32_t>((generation % (1 << 11)) * max_channels + channel);
}
inline std::int32_t generation_of(std::int32_t wire) { return wire / max_channels; }
inline int channel_of(std::int32_t wire) { return wire % max_channels; }

/// Serialized records on one channel; `channel` is the receiver's input channel index
/// (wire_channel).
/// Bytes still held when the message is destroyed — a batch to another process, once CAF has
/// serialized it into its write buffer — go back to the process's buffer_pool, to become an
/// output gate's next batch instead of being freed.
struct batch_msg {
  std::int32_t channel = 0;
  std::int32_t backlog = 0; ///< batches still waiting at the sender on this channel
  std::uint32_t records = 0;
  std::vector<char> bytes;

  batch_msg() = default;
  batch_msg(std::int32_t ch, std::int32_t back, std::uint32_t n, std::vector<char> b)
      : channel(ch), backlog(back), records(n), bytes(std::move(b)) {}
  batch_msg(const batch_msg&) = default;
  batch_msg(batch_msg&&) = default;
  batch_msg& operator=(const batch_msg&) = default;
  batch_msg& operator=(batch_msg&&) = default;
  ~batch_msg() { buffer_pool::process().give(std::move(bytes)); }
};

/// The bytes of a batch as CAF (de)serializes them between processes: the wire format of a
/// std::vector<char> (a size, then the bytes), loaded with one copy out of the received buffer
/// where CAF's own loading zero-fills the vector first and then copies.
struct batch_payload {
  std::vector<char>& bytes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, batch_payload& x) {
  return f(x.bytes);
}

/// Loading (a non-template overload: preferred to the template above for CAF's deserializer).
caf::error inspect(caf::deserializer& f, batch_payload& x);

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, batch_msg& x) {
  batch_payload payload{x.bytes};
  return f(caf::meta::type_name("sluice::batch_msg"), x.channel, x.backlog, x.records, payload);
}

/// An in-band event (event_kind) on one channel, in order with its batches.
struct event_msg {
  std::int32_t channel = 0;
  std::uint8_t kind = 0;
  std::int64_t value = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_msg& x) {
  return f(caf::meta::type_name("sluice::event_msg"), x.channel, x.kind, x.value);
}

/// Credits for the sender's output channel `channel`.
struct credit_msg {
  std::int32_t channel = 0;
  std::int32_t credits = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, credit_msg& x) {
  return f(caf::meta::type_name("sluice::credit_msg"), x.channel, x.credits);
}

/// The data connection to or from the task manager whose data address is `peer` ended
/// (remote_data_plane.hpp), sent to every subtask of the process that opened a connection to it.
/// A subtask with a channel to or from it still open sends itself the message again,
/// `confirmed`, after the heartbeat timeout, and fails then unless the job manager cancelled it
/// first (a lost task manager, the usual cause, is handled there). Local to the process.
struct data_connection_lost_msg {
  std::string peer;
  std::string why;
  bool confirmed = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, data_connection_lost_msg& x) {
  return f(caf::meta::type_name("sluice::data_connection_lost_msg"), x.peer, x.why, x.confirmed);
}

using flush_tick_atom = caf::atom_constant<caf::atom("s_flush")>;
/// Process more input (a subtask to itself, with unaligned checkpoints).
using input_atom = caf::atom_constant<caf::atom("s_input")>;

} // namespace sluice
