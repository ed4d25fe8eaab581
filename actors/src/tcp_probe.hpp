#pragma once
// Whether a process still listens at an address: a TCP connection attempt, bounded in time.

#include "sluice/operators/cluster_config.hpp"

#include <chrono>

namespace sluice {

/// True if a TCP connection to `where` is accepted within `timeout` (then closed at once).
bool accepts_connections(const host_port& where, std::chrono::milliseconds timeout);

} // namespace sluice
