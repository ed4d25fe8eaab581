#include "tcp_probe.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string>

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sluice {

namespace {

/// Waits until the connected socket `fd` is reset or closed by its peer (false), or the peer
/// sends data or nothing happens until `deadline` (true). A process killed while our connection
/// attempt completed in its listening socket's backlog closes that socket a moment later, which
/// resets the connection: it does not count as accepting.
bool stays_open(int fd, std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  pollfd p{fd, POLLIN | POLLRDHUP, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, left.count())));
  if (ready != 1)
    return ready == 0;
  char byte = 0;
  return (p.revents & (POLLERR | POLLHUP | POLLRDHUP)) == 0 &&
         ::recv(fd, &byte, 1, MSG_PEEK) == 1;
}

} // namespace

bool accepts_connections(const host_port& where, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(where.host.c_str(), std::to_string(where.port).c_str(), &hints, &found) != 0)
    return false;
  bool accepted = false;
  for (auto* a = found; a && !accepted; a = a->ai_next) {
    const int fd =
        ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0)
      continue;
    bool connected = ::connect(fd, a->ai_addr, a->ai_addrlen) == 0;
    if (!connected && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int error = 0;
      socklen_t len = sizeof error;
      connected = ::poll(&p, 1, static_cast<int>(timeout.count())) == 1 &&
                  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == 0;
    }
    accepted = connected && stays_open(fd, deadline);
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return accepted;
}

} // namespace sluice
