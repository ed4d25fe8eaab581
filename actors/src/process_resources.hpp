#pragma once
// What this process uses of the machine: resident memory and CPU time (Linux /proc, getrusage),
// its buffer pool and its RocksDB instances' memory; and how much freed memory its allocator keeps.

#include "sluice/actors/messages.hpp"
#include "sluice/operators/job_config.hpp"

#include <cstdint>

namespace sluice {

/// Resident set size in bytes (0 if /proc/self/statm cannot be read).
std::uint64_t process_rss_bytes();

/// Makes the allocator return every freed block of 64 KiB or more (a batch's bytes) to the
/// system, unless MALLOC_MMAP_THRESHOLD_ is set in the environment. Batches of hundreds of KiB
/// are allocated by one thread and freed by another; glibc raises its mmap threshold to the size
/// of every mapped block freed (up to 32 MiB), after which batches come from its per-thread
/// arenas, and each arena keeps the pages of the largest batches it ever held: a task manager's
/// resident memory rose in steps for minutes while the memory in use stayed flat (soak_job at
/// 5 M records/s: 31 -> 37 MiB resident over 2 minutes, 15-19 MiB in use; with a fixed
/// threshold 14-20 MiB resident, no trend). The buffer pool still recycles up to 32 MiB of
/// batches without returning them.
void bound_allocator_retention();

/// User plus system CPU time of every thread of the process, in milliseconds.
std::uint64_t process_cpu_ms();

/// A task manager's report of its process without the subtasks: `slots`, RSS, CPU time, the
/// buffer pool, and, when `config` keeps state in RocksDB, the shared block cache's usage and
/// the memtables of every instance.
task_manager_report process_report(const job_config& config, int slots);

} // namespace sluice
