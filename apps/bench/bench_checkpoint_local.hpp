#pragma once
// Part 5 of bench_checkpoint: local recovery, the same RocksDB state restored from the
// checkpoint directory and from a subtask's local copy in the same run (what it measures:
// bench_checkpoint.cpp's opening comment).

#include "checkpoint_bench_jobs.hpp"

namespace checkpoint_bench {

struct local_recovery_options {
  std::uint64_t state_mb;
  std::size_t value_bytes;
  int repeat; ///< restores of each kind; the fastest counts
};

/// Fills a RocksDB backend, checkpoints it (incremental), keeps its local copy, and restores
/// both; prints the figures and returns them as JSON fields.
fields measure_local_recovery(const sluice::job_config& base, const fs::path& parent,
                              const local_recovery_options& o);

} // namespace checkpoint_bench
