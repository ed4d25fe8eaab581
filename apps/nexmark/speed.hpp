#pragma once
// nexmark --json: a query on the in-process generator against its single-threaded baseline.

#include "job.hpp"

#include <sluice/sluice.hpp>

#include <cstdint>
#include <ostream>
#include <string>

namespace nexmark {

struct figures {
  std::string query;
  std::int64_t events = 0;
  int parallelism = 1;
  int cores = 1; ///< cores the job could use: min(parallelism, the machine's)
  double events_per_s = 0;
  double baseline_events_per_s = 0;
  std::int64_t rows = 0;          ///< lines the query produced
  std::int64_t baseline_rows = 0; ///< lines the baseline produced
  double p50_ms = 0;
  double p99_ms = 0;
  bool has_latency = false;
};

/// Runs `query` over `input` (generator events) with `config`, and its baseline, interleaved,
/// `repeat` times each; the best of each. Throws std::runtime_error if the job fails.
figures measure(const sluice::job_config& config, const std::string& query,
                const event_input& input, int repeat);

/// The figures for people, then one JSON object on the last line.
void print_figures(std::ostream& out, const figures& f);

} // namespace nexmark
