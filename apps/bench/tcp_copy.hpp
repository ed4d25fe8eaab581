#pragma once
// The raw baseline of cross-process data: copying bytes over a loopback TCP connection from a
// child process to this one.

#include <cstddef>
#include <cstdint>

namespace bench {

/// Bytes per second of sending `bytes` in writes of `chunk` bytes from a forked child over
/// 127.0.0.1 to this process, which reads them in reads of `chunk` bytes (timed from the
/// connection to the last byte).
double tcp_copy_bytes_per_s(std::uint64_t bytes, std::size_t chunk);

} // namespace bench
