#pragma once
// Shared helpers of the benchmark programs: timing and the --json last line.

#include <sluice/sluice.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace bench {

/// Nanoseconds of the steady clock.
inline std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

/// Seconds taken by f().
template <class F> double seconds_of(F&& f) {
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

/// CPU seconds taken by every thread of the process while f() ran.
template <class F> double cpu_seconds_of(F&& f) {
  auto now = [] {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
  };
  const double start = now();
  f();
  return now() - start;
}

/// What one run of a job measured: its throughput, and the CPU it took per record (every thread
/// of the process: the subtasks, the job and task managers, the REST server). The CPU figure is
/// the cost of the engine's work, which a busy machine's scheduling does not change as much as
/// the throughput.
struct job_run {
  double records_per_s = 0;
  double cpu_ns_per_record = 0;
};

/// Runs the job built in `env` to its end and measures it; exits on failure.
inline job_run run_job(sluice::environment& env, const std::string& job_name,
                       std::uint64_t records) {
  sluice::job_result result;
  double secs = 0;
  const double cpu =
      cpu_seconds_of([&] { secs = seconds_of([&] { result = env.execute(job_name); }); });
  if (!result.ok()) {
    std::fprintf(stderr, "%s: %s\n", job_name.c_str(), result.error().c_str());
    std::exit(1);
  }
  const auto n = static_cast<double>(records);
  return {n / secs, 1e9 * cpu / n};
}

/// Runs the job built in `env` to its end and returns records/s; exits on failure.
inline double records_per_s(sluice::environment& env, const std::string& job_name,
                            std::uint64_t records) {
  return run_job(env, job_name, records).records_per_s;
}

/// The lowest CPU per record seen over the runs of one side of a benchmark.
class lowest_cpu {
public:
  /// Keeps the run's CPU figure and passes its throughput on (for best_of_interleaved).
  double operator()(const job_run& run) {
    if (lowest_ == 0 || run.cpu_ns_per_record < lowest_)
      lowest_ = run.cpu_ns_per_record;
    return run.records_per_s;
  }
  double ns_per_record() const { return lowest_; }

private:
  double lowest_ = 0;
};

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
