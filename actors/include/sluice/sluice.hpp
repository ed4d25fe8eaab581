#pragma once
// The one header a job program includes: the job API, sources and sinks, and the runtime.

#include "sluice/actors/local_runtime.hpp"
#include "sluice/operators/environment.hpp"
#include "sluice/operators/sources_and_sinks.hpp"
#include "sluice/state/serialization.hpp"

namespace sluice::detail {
/// Makes execute() run on the embedded local cluster in every program including this header.
inline const bool runtime_installed = install_local_runtime();
} // namespace sluice::detail
