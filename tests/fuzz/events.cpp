// In-band messages as a subtask receives them from another process: each a tag byte (event or
// batch) and the message in CAF's binary form (event_msg, batch_msg), decoded with CAF's
// binary_deserializer and handed to an input gate of four channels, which grants credits and
// hands out items as the subtask actor drives it (a barrier taken blocks its channel until
// every channel is blocked, as alignment does).

#include "sluice/actors/data_plane_messages.hpp"
#include "sluice/actors/input_gate.hpp"

#include <caf/binary_deserializer.hpp>

namespace {

constexpr int channels = 4;

/// Takes every item the gate hands out, blocking on barriers as alignment does.
void drain(sluice::input_gate& gate) {
  while (gate.has_input()) {
    auto item = gate.next();
    if (item.is_event && item.kind == sluice::event_kind::barrier) {
      gate.block(item.channel);
      bool all = true;
      for (int ch = 0; ch < channels; ++ch)
        all = all && (gate.is_blocked(ch) || gate.ended(ch));
      if (all)
        gate.unblock_all();
    }
  }
  gate.send_grants();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sluice::subtask_counters counters;
  std::vector<int> granted(channels, 0);
  sluice::input_gate gate(channels, 2, 4, [&](int ch, int n) { granted.at(ch) += n; }, counters);
  gate.start();
  gate.send_grants();
  caf::binary_deserializer in(static_cast<caf::execution_unit*>(nullptr),
                              reinterpret_cast<const char*>(data), size);
  while (in.remaining() > 0) {
    std::uint8_t tag = 0;
    if (in(tag))
      break;
    try {
      if (tag & 1) {
        sluice::event_msg m;
        if (in(m))
          break;
        gate.on_event(m.channel, gate.event_kind_of(m.channel, m.kind), m.value);
      } else {
        sluice::batch_msg m;
        if (in(m))
          break;
        gate.on_batch(m.channel, std::move(m.bytes), m.records, m.backlog);
      }
    } catch (const sluice::protocol_error&) {
      return 0; // the subtask fails, naming the channel
    }
    drain(gate);
  }
  return 0;
}
