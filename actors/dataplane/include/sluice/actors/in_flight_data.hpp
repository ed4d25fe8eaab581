#pragma once
// The in-flight data of an unaligned checkpoint: the batches a subtask's input channels held
// before their barrier, in one byte string (stored as a blob with the head operator's state)
// and replayed on restore before any new input.

#include <cstdint>
#include <string>
#include <vector>

namespace sluice {

/// The blob names in the head operator's subtask_state: the input batches before their
/// barrier (by input channel), and the output batches the barrier overtook (by output channel).
inline constexpr const char* in_flight_blob = "in-flight";
inline constexpr const char* in_flight_output_blob = "in-flight-output";

struct in_flight_batch {
  int channel = 0;
  std::uint32_t records = 0;
  std::vector<char> bytes;
};

/// Appends one batch of input channel `channel` to `blob`.
void append_in_flight(std::string& blob, int channel, std::uint32_t records, const char* data,
                      std::size_t size);
/// The batches of `blob`, in the order appended, for a subtask with `channels` channels on that
/// side (`side`: "input" or "output", for the error); throws std::runtime_error if it is
/// truncated or a batch's channel is not one of them.
std::vector<in_flight_batch> read_in_flight(const std::string& blob, int channels,
                                            const char* side);

} // namespace sluice
