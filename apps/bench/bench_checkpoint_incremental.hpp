#pragma once
// Part 4 of bench_checkpoint: incremental checkpoints beside full ones, the same job in the same
// run (what it measures: bench_checkpoint.cpp's opening comment).

#include "checkpoint_bench_jobs.hpp"

namespace checkpoint_bench {

struct incremental_options {
  std::uint64_t state_mb;
  std::size_t value_bytes;
  double update_percent;
  std::size_t rounds;       ///< checkpoints measured after the first one of the full state
  std::int64_t interval_ms;
  sluice::state_backend_kind backend; ///< of the job and of the restore measured
  /// The job keeping the state: "state" (a map writing a value state) or "reduce" (the rolling
  /// reduce, whose keyed_table is a flat table of the operator's own on the heap).
  std::string job;
};

/// Runs the job with incremental checkpoints, then with full ones; prints the figures and returns
/// them as JSON fields.
fields measure_incremental(const sluice::job_config& base, const fs::path& parent,
                           const incremental_options& o);

} // namespace checkpoint_bench
