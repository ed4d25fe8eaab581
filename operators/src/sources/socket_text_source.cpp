#include "sluice/operators/sources/socket_text_source.hpp"

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sluice {
namespace {

using clock = std::chrono::steady_clock;

constexpr std::size_t receive_chunk = std::size_t{16} * 1024;

struct addrinfo_deleter {
  void operator()(addrinfo* ai) const { freeaddrinfo(ai); }
};

/// Waits until a non-blocking connect on fd completes or the deadline passes; "" on success,
/// else the reason.
std::string await_connect(int fd, clock::time_point deadline, std::chrono::milliseconds timeout) {
  pollfd pfd{fd, POLLOUT, 0};
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0)
      return "timed out after " + std::to_string(timeout.count()) + " ms";
    const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready > 0)
      break;
    if (ready < 0 && errno != EINTR)
      return std::strerror(errno);
  }
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
    err = errno;
  return err == 0 ? std::string() : std::string(std::strerror(err));
}

/// A connected non-blocking socket to `ai`, or -1 with the reason in `reason`.
int connect_to(const addrinfo& ai, clock::time_point deadline, std::chrono::milliseconds timeout,
               std::string& reason) {
  const int fd =
      ::socket(ai.ai_family, ai.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai.ai_protocol);
  if (fd < 0) {
    reason = std::strerror(errno);
    return -1;
  }
  if (::connect(fd, ai.ai_addr, ai.ai_addrlen) == 0)
    return fd;
  if (errno == EINPROGRESS || errno == EINTR)
    reason = await_connect(fd, deadline, timeout);
  else
    reason = std::strerror(errno);
  if (reason.empty())
    return fd;
  ::close(fd);
  return -1;
}

} // namespace

socket_text_source::socket_text_source(std::string host, std::uint16_t port, char delimiter,
                                       std::chrono::milliseconds connect_timeout)
    : host_(std::move(host)), port_(port), delimiter_(delimiter),
      connect_timeout_(connect_timeout) {}

socket_text_source::socket_text_source(const socket_text_source& other)
    : copyable_source(other), host_(other.host_), port_(other.port_), delimiter_(other.delimiter_),
      connect_timeout_(other.connect_timeout_) {}

socket_text_source::socket_text_source(socket_text_source&& other) noexcept
    : host_(std::move(other.host_)), port_(other.port_), delimiter_(other.delimiter_),
      connect_timeout_(other.connect_timeout_), fd_(std::exchange(other.fd_, -1)),
      peer_closed_(other.peer_closed_), buffer_(std::move(other.buffer_)),
      consumed_(other.consumed_), scanned_(other.scanned_) {}

socket_text_source::~socket_text_source() { close(); }

void socket_text_source::open(const runtime_context&) {
  close();
  peer_closed_ = false;
  buffer_.clear();
  consumed_ = scanned_ = 0;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(host_.c_str(), std::to_string(port_).c_str(), &hints, &found);
  if (rc != 0)
    throw source_error("cannot connect to " + address() + ": " +
                       (rc == EAI_SYSTEM ? std::strerror(errno) : ::gai_strerror(rc)));
  std::unique_ptr<addrinfo, addrinfo_deleter> addresses(found);
  const auto deadline = clock::now() + connect_timeout_;
  std::string reason = "no address";
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    fd_ = connect_to(*ai, deadline, connect_timeout_, reason);
    if (fd_ >= 0)
      return;
  }
  throw source_error("cannot connect to " + address() + ": " + reason);
}

source_status socket_text_source::poll(collector<std::string>& out, std::size_t max_records) {
  if (fd_ < 0 && !peer_closed_)
    throw std::logic_error("socket_text_source: poll() before open()");
  std::size_t emitted = 0;
  while (emitted < max_records) {
    if (emit_buffered(out)) {
      ++emitted;
      continue;
    }
    if (peer_closed_) {
      if (consumed_ < buffer_.size())
        emit(out, consumed_, buffer_.size());
      buffer_.clear();
      consumed_ = scanned_ = 0;
      return source_status::finished;
    }
    const long received = receive();
    if (received < 0)
      return emitted > 0 ? source_status::more : source_status::idle;
    if (received == 0) {
      peer_closed_ = true;
      close();
    }
  }
  return source_status::more;
}

void socket_text_source::close() {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
}

bool socket_text_source::emit_buffered(collector<std::string>& out) {
  const void* hit = std::memchr(buffer_.data() + scanned_, delimiter_, buffer_.size() - scanned_);
  if (hit == nullptr) {
    scanned_ = buffer_.size();
    return false;
  }
  const auto end = static_cast<std::size_t>(static_cast<const char*>(hit) - buffer_.data());
  emit(out, consumed_, end);
  consumed_ = scanned_ = end + 1;
  return true;
}

long socket_text_source::receive() {
  buffer_.erase(0, consumed_);
  scanned_ -= consumed_;
  consumed_ = 0;
  char chunk[receive_chunk];
  for (;;) {
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);
    if (n >= 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return static_cast<long>(n);
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return -1;
    if (errno != EINTR)
      throw source_error("socket_text_source: reading from " + address() +
                         " failed: " + std::strerror(errno));
  }
}

void socket_text_source::emit(collector<std::string>& out, std::size_t begin, std::size_t end) {
  if (delimiter_ == '\n' && end > begin && buffer_[end - 1] == '\r')
    --end;
  out.collect(buffer_.substr(begin, end - begin));
}

std::string socket_text_source::address() const {
  const bool ipv6 = host_.find(':') != std::string::npos;
  return (ipv6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
}

} // namespace sluice
