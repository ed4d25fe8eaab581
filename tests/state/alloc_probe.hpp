#pragma once
// Measures heap requests: this test binary replaces the global operator new (alloc_probe.cpp).

#include <cstddef>

namespace sluice::test {

/// Forgets the largest request seen so far.
void reset_largest_allocation();

/// The largest single operator new request since the last reset_largest_allocation().
std::size_t largest_allocation();

} // namespace sluice::test
