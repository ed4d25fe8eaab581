#pragma once
// Output tags name side outputs: records of type U a process function emits besides its main
// output (Flink's OutputTag). The runtime routes a tag's records to whoever consumes the tag.

#include <string>

namespace sluice {

/// Names a side output carrying records of type U; equal ids mean the same side output.
template <class U>
struct output_tag {
  std::string id;
  using value_type = U;
};

} // namespace sluice
