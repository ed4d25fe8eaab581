#pragma once
// Software prefetch that the compiler keeps, and the batch-at-a-time loop that uses it.

#include <cstddef>

namespace sluice {

/// Starts loading the cache line at `p`. The empty volatile asm keeps GCC from deeming a
/// function that only prefetches free of side effects ("const") and deleting calls to it.
inline void prefetch_line(const void* p) {
  __builtin_prefetch(p);
  asm volatile("");
}

/// Calls each(p) for every p in [first, last), calling ahead(p + distance) first while that is
/// in the range: the state of the element `distance` ahead starts loading while this one is
/// processed, so state misses overlap.
template <class T, class Ahead, class Each>
void for_each_prefetched(T* first, T* last, std::ptrdiff_t distance, Ahead&& ahead, Each&& each) {
  for (T* p = first; p != last; ++p) {
    if (last - p > distance)
      ahead(p + distance);
    each(p);
  }
}

} // namespace sluice
