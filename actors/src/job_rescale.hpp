#pragma once
// What a rescale of a running job asks for (rescale_request_msg): the job graph built again at
// the new parallelism, checked before the job stops for it. The job manager carries it out
// (job_manager_rescale.cpp: it stops the job at a checkpoint, deploys the subtasks of the
// vertices that change again from it and keeps the others in place).

#include "sluice/operators/plan/execution_plan.hpp"

#include <memory>
#include <string>
#include <vector>

namespace sluice {

/// The plan of `current`'s job graph with `parallelism` for every operator whose parallelism
/// the job program did not set (`vertex` empty; operators that cannot run in parallel stay at
/// 1), or for the operators chained with the operator of uid `vertex`. Throws config_error
/// saying why there is none: a parallelism below 1 or above the max parallelism, an unknown
/// uid, a forward edge between operators that would differ, no change.
std::shared_ptr<const execution_plan> rescaled_plan(const execution_plan& current,
                                                    const job_config& config, int parallelism,
                                                    const std::string& vertex);

/// By vertex id of `from`: whether the vertex is the same in `to` (the same operators at the
/// same parallelism), so that a rescale from `from` to `to` keeps its subtasks in place.
std::vector<bool> kept_vertices(const execution_plan& from, const execution_plan& to);

/// What changed from `from` to `to`: "'keyed sum' 2 -> 3, 'format' 2 -> 3".
std::string rescale_changes(const execution_plan& from, const execution_plan& to);

} // namespace sluice
