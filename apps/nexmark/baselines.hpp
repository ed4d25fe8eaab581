#pragma once
// The single-threaded baselines (the COST baseline): each query by hand over the generator,
// with plain loops and hash maps and no engine, producing the same lines. Watermarks as the
// job's: 4 s behind the newest date_time.

#include "generator.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace nexmark {

/// Receives each line the baseline produces (the job's sink would get it).
using line_consumer = std::function<void(std::string&&)>;

/// Runs query `name` over generator events 0..events-1; returns false if it has no baseline.
bool run_baseline(const std::string& name, const generator_config& config, std::int64_t events,
                  const line_consumer& out);

} // namespace nexmark
