#include "tcp_copy.hpp"

#include <chrono>
#include <stdexcept>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace bench {

namespace {

void send_all(std::uint16_t port, std::uint64_t bytes, std::size_t chunk) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    ::_exit(1);
  std::vector<char> buffer(chunk, 'x');
  while (bytes > 0) {
    auto n = ::write(fd, buffer.data(), std::min<std::uint64_t>(bytes, chunk));
    if (n <= 0)
      ::_exit(1);
    bytes -= static_cast<std::uint64_t>(n);
  }
  ::close(fd);
  ::_exit(0);
}

} // namespace

double tcp_copy_bytes_per_s(std::uint64_t bytes, std::size_t chunk) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener, 1) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("tcp copy: cannot listen on 127.0.0.1");
  auto child = ::fork();
  if (child == 0)
    send_all(ntohs(addr.sin_port), bytes, chunk);
  int fd = ::accept(listener, nullptr, nullptr);
  auto start = std::chrono::steady_clock::now();
  std::vector<char> buffer(chunk);
  std::uint64_t received = 0;
  for (ssize_t n; (n = ::read(fd, buffer.data(), chunk)) > 0;)
    received += static_cast<std::uint64_t>(n);
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ::close(fd);
  ::close(listener);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (received != bytes)
    throw std::runtime_error("tcp copy: received " + std::to_string(received) + " of " +
                             std::to_string(bytes) + " bytes");
  return static_cast<double>(bytes) / secs;
}

} // namespace bench
