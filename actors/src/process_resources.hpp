#pragma once
// What this process uses of the machine: resident memory and CPU time (Linux /proc, getrusage),
// its buffer pool and its RocksDB instances' memory.

#include "sluice/actors/deployment_messages.hpp"
#include "sluice/operators/api/job_config.hpp"

#include <cstdint>

namespace sluice {

/// Resident set size in bytes (0 if /proc/self/statm cannot be read).
std::uint64_t process_rss_bytes();

/// User plus system CPU time of every thread of the process, in milliseconds.
std::uint64_t process_cpu_ms();

/// A task manager's report of its process without the subtasks: `slots`, RSS, CPU time, the
/// buffer pool, and, when `config` keeps state in RocksDB, the shared block cache's usage and
/// the memtables of every instance.
task_manager_report process_report(const job_config& config, int slots);

} // namespace sluice
