// State handles as a subtask's checkpoint acknowledgement carries them to the job manager
// (subtask_state_from_text: keyed and operator state handles, blobs in base64). The first two
// bytes pick the subtask index and the max parallelism; the rest is the text. A state that
// reads must write as text that reads back equal.

#include "fuzz_util.hpp"

#include "sluice/checkpoint/checkpoint_error.hpp"
#include "sluice/checkpoint/checkpoint_metadata.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2)
    return 0;
  const int index = data[0] % 8;
  const int max_parallelism = 1 + data[1];
  const std::string text(reinterpret_cast<const char*>(data + 2), size - 2);
  sluice::subtask_state s;
  try {
    s = sluice::subtask_state_from_text(text, index, max_parallelism);
  } catch (const sluice::checkpoint_error&) {
    return 0;
  }
  const auto again = sluice::subtask_state_from_text(sluice::subtask_state_to_text(s, index),
                                                     index, max_parallelism);
  fuzz::require(again == s, "a subtask state written as text reads back equal");
  return 0;
}
