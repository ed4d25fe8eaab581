#pragma once
// Shared helpers of the benchmark programs: timing and the --json last line.

#include <sluice/sluice.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <functional>
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

/// The flag every benchmark declares for --repeat R: runs of each side, the best counts.
inline sluice::flag_spec repeat_flag(const char* fallback) {
  return {"repeat", "interleaved runs of each side (engine, baseline); the best counts",
          std::string(fallback), false};
}

/// The value of --repeat (at least 1); exits with status 2 naming the flag otherwise.
inline int repeat_of(const sluice::environment& env) {
  const auto text = env.flag_or("repeat", "1");
  char* end = nullptr;
  const long r = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || r < 1 || r > 1000) {
    std::fprintf(stderr, "error: flag --repeat: '%s' is not a number of runs in [1, 1000]\n",
                 text.c_str());
    std::exit(2);
  }
  return static_cast<int>(r);
}

/// The best (highest) result of each of `sides` (functions returning a rate) over `repeat`
/// rounds, each round running every side once in turn: the sides alternate, so a drift in the
/// machine's load hits them alike, and the best run of each is the one least disturbed.
inline std::vector<double> best_of_interleaved(int repeat,
                                               const std::vector<std::function<double()>>& sides) {
  std::vector<double> best(sides.size(), 0);
  for (int r = 0; r < repeat; ++r)
    for (std::size_t s = 0; s < sides.size(); ++s)
      best[s] = std::max(best[s], sides[s]());
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
