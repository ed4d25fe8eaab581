#pragma once
// Whether a process still listens at an address: a TCP connection attempt, bounded in time.

#include "sluice/operators/api/cluster_config.hpp"

#include <chrono>

namespace sluice {

/// True if a TCP connection to `where` is accepted and not reset or closed by the peer within
/// `timeout` (then closed): a process killed a moment ago may still complete the connection in
/// its listening socket's backlog, and resets it once that socket closes. Blocks at most
/// about `timeout`.
bool accepts_connections(const host_port& where, std::chrono::milliseconds timeout);

} // namespace sluice
