#pragma once
// Shared helpers of the benchmark programs: timing and the --json last line.

#include <sluice/sluice.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace bench {

/// Seconds taken by f().
template <class F>
double seconds_of(F&& f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// The highest of `runs` results of f() (a rate): on a shared, noisy machine the best run is the
/// one least disturbed, and benchmarks take it for the engine and its baseline alike.
template <class F>
double best_of(int runs, F&& f) {
  double best = 0;
  for (int i = 0; i < runs; ++i) {
    const double rate = f();
    best = rate > best ? rate : best;
  }
  return best;
}

/// Runs the job built in `env` to its end and returns records/s; exits on failure.
inline double records_per_s(sluice::environment& env, const std::string& job_name,
                            std::uint64_t records) {
  sluice::job_result result;
  auto secs = seconds_of([&] { result = env.execute(job_name); });
  if (!result.ok()) {
    std::fprintf(stderr, "%s: %s\n", job_name.c_str(), result.error().c_str());
    std::exit(1);
  }
  return static_cast<double>(records) / secs;
}

/// One JSON object of numeric fields, printed as the last line.
inline void print_json(const std::vector<std::pair<std::string, double>>& fields) {
  std::string line = "{";
  for (std::size_t i = 0; i < fields.size(); ++i) {
    char value[64];
    std::snprintf(value, sizeof value, "%.6g", fields[i].second);
    line += (i ? ", \"" : "\"") + fields[i].first + "\": " + value;
  }
  std::printf("%s}\n", line.c_str());
}

} // namespace bench
