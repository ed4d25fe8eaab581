#include "sluice/operators/sources/source.hpp"

#include "sluice/operators/core/logging.hpp"

namespace sluice {

bool warn_if_not_replayable(const source_operator_base& source, const runtime_context& ctx) {
  if (!ctx.checkpointing || source.replayable())
    return false;
  log()->warn("source '{}' cannot replay its input: checkpoints do not cover it, so the records "
              "it emitted since the last completed checkpoint are lost if the job recovers from "
              "a failure",
              ctx.task_name());
  return true;
}

} // namespace sluice
