#pragma once
// The one header a job program includes: the job API, sources and sinks, and the runtime.

#include "sluice/actors/process_job_runner.hpp"
#include "sluice/operators/api/environment.hpp"
#include "sluice/operators/api/sources_and_sinks.hpp"
#include "sluice/state/serialization.hpp"

namespace sluice::detail {
/// Makes execute() run the job in the process's role (by default on the embedded local cluster)
/// in every program including this header.
inline const bool runtime_installed = install_process_job_runner();
} // namespace sluice::detail
