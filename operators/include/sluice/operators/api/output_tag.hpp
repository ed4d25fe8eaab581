#pragma once
// Output tags name side outputs: records of type U a process function emits besides its main
// output (Flink's OutputTag). The runtime routes a tag's records to whoever consumes the tag.

#include "sluice/operators/core/collector.hpp"

#include <string>
#include <utility>

namespace sluice {

/// Names a side output carrying records of type U; equal ids mean the same side output.
template <class U>
struct output_tag {
  std::string id;
  using value_type = U;
};

/// The side outputs of a function's context (Flink's Context.output).
class side_output_context {
public:
  virtual ~side_output_context() = default;

  /// Emits `value` to the side output `tag` (dropped if nobody consumes the tag); it carries
  /// the current timestamp, like records of the main output. U comes from the tag alone.
  template <class U>
  void output(const output_tag<U>& tag, typename output_tag<U>::value_type value) {
    if (auto* out = side_output(tag.id))
      static_cast<collector<U>*>(out)->collect(std::move(value));
  }

protected:
  /// The consumer of the side output named `tag_id`, or nullptr if nobody consumes it.
  virtual output_base* side_output(const std::string& tag_id) = 0;
};

} // namespace sluice
