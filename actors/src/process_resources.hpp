#pragma once
// What this process uses of the machine: resident memory and CPU time (Linux /proc, getrusage).

#include <cstdint>

namespace sluice {

/// Resident set size in bytes (0 if /proc/self/statm cannot be read).
std::uint64_t process_rss_bytes();

/// User plus system CPU time of every thread of the process, in milliseconds.
std::uint64_t process_cpu_ms();

} // namespace sluice
