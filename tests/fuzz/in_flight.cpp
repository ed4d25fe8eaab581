// The in-flight data of an unaligned checkpoint, read back on restore from a blob of the
// checkpoint's metadata by a subtask of 1 to 4 channels (the first byte). A blob that reads
// must write back to the same bytes, every batch on one of the subtask's channels.

#include "fuzz_util.hpp"

#include "sluice/actors/in_flight_data.hpp"

#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const int channels = 1 + data[0] % 4;
  const std::string blob(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<sluice::in_flight_batch> batches;
  try {
    batches = sluice::read_in_flight(blob, channels, "input");
  } catch (const std::runtime_error&) {
    return 0;
  }
  std::string again;
  for (const auto& b : batches) {
    fuzz::require(b.channel >= 0 && b.channel < channels, "a batch is on one of the channels");
    sluice::append_in_flight(again, b.channel, b.records, b.bytes.data(), b.bytes.size());
  }
  fuzz::require(again == blob, "in-flight batches write back to the blob they were read from");
  return 0;
}
