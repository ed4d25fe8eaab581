#pragma once
// Software prefetch that the compiler keeps.

namespace sluice {

/// Starts loading the cache line at `p`. The empty volatile asm keeps GCC from deeming a
/// function that only prefetches free of side effects ("const") and deleting calls to it.
inline void prefetch_line(const void* p) {
  __builtin_prefetch(p);
  asm volatile("");
}

} // namespace sluice
