#include "sluice/actors/data_connections.hpp"

#include "sluice/actors/buffer_pool.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <stdexcept>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace sluice {

namespace {

/// A frame's header on the wire, little-endian: receiver (8), kind (1), event (1), two unused,
/// channel (4), count (4), records (4), value (8), the bytes' length (4), four unused.
constexpr std::size_t header_size = 40;
/// The first bytes of a connection, then the length of the sender's address and the address.
constexpr std::uint32_t hello_magic = 0x43444c53; // "SLDC"
/// A batch longer than this is a corrupt header, not a batch.
constexpr std::uint32_t max_frame_bytes = 1u << 30;

template <class T>
void put(char* at, T v) {
  auto u = static_cast<std::uint64_t>(v);
  for (std::size_t i = 0; i < sizeof(T); ++i)
    at[i] = static_cast<char>((u >> (8 * i)) & 0xff);
}

template <class T>
T get(const char* at) {
  std::uint64_t u = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    u |= static_cast<std::uint64_t>(static_cast<unsigned char>(at[i])) << (8 * i);
  return static_cast<T>(u);
}

void encode_header(const data_frame& f, char* h) {
  std::memset(h, 0, header_size);
  put(h, f.receiver);
  put(h + 8, static_cast<std::uint8_t>(f.type));
  put(h + 9, f.event);
  put(h + 12, f.channel);
  put(h + 16, f.count);
  put(h + 20, f.records);
  put(h + 24, f.value);
  put(h + 32, static_cast<std::uint32_t>(f.bytes.size()));
}

std::string errno_text() { return std::strerror(errno); }

/// Reads exactly `size` bytes; false on end of stream or error (`why` says which).
bool read_exactly(int fd, char* to, std::size_t size, std::string& why) {
  while (size > 0) {
    const auto n = ::recv(fd, to, size, MSG_WAITALL);
    if (n > 0) {
      to += n;
      size -= static_cast<std::size_t>(n);
    } else if (n == 0) {
      why = "the connection was closed";
      return false;
    } else if (errno != EINTR) {
      why = errno_text();
      return false;
    }
  }
  return true;
}

std::pair<std::string, std::string> split_address(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos)
    return {address, ""};
  return {address.substr(0, colon), address.substr(colon + 1)};
}

/// A connected (or, with `listen`, listening and bound) TCP socket for `host`:`port`, or -1 and
/// `why`.
int open_socket(const std::string& host, const std::string& port, bool listen, std::string& why) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = listen ? AI_PASSIVE : 0;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    why = ::gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (auto* a = found; a && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0)
      continue;
    const int one = 1;
    bool ok;
    if (listen) {
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      ok = ::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 64) == 0;
    } else {
      ok = ::connect(fd, a->ai_addr, a->ai_addrlen) == 0;
      // Credits and events are small frames that must not wait for more to send.
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    if (!ok) {
      why = errno_text();
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  return fd;
}

/// Writes the buffers of `iov` whole to `fd` (advancing it); false (and `why` set) on failure.
bool write_iov(int fd, std::vector<iovec>& iov, std::string& why) {
  std::size_t next = 0;
  while (next < iov.size()) {
    msghdr msg{};
    msg.msg_iov = iov.data() + next;
    msg.msg_iovlen = std::min<std::size_t>(iov.size() - next, IOV_MAX);
    auto n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      why = errno_text();
      return false;
    }
    while (n > 0) {
      auto& v = iov[next];
      if (static_cast<std::size_t>(n) >= v.iov_len) {
        n -= static_cast<ssize_t>(v.iov_len);
        ++next;
      } else {
        v.iov_base = static_cast<char*>(v.iov_base) + n;
        v.iov_len -= static_cast<std::size_t>(n);
        n = 0;
      }
    }
  }
  return true;
}

/// Writes `frames` whole to `fd`, each a header, then its bytes; false (and `why` set) when the
/// connection failed.
bool write_frames(int fd, const std::vector<data_frame>& frames, std::string& why) {
  std::vector<char> headers(frames.size() * header_size);
  std::vector<iovec> iov;
  iov.reserve(frames.size() * 2);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    char* header = headers.data() + i * header_size;
    encode_header(frames[i], header);
    iov.push_back({header, header_size});
    if (!frames[i].bytes.empty())
      iov.push_back({const_cast<char*>(frames[i].bytes.data()), frames[i].bytes.size()});
  }
  return write_iov(fd, iov, why);
}

} // namespace

data_connections::data_connections(const std::string& host, std::uint16_t port,
                                   deliver_fn deliver, lost_fn lost)
    : deliver_(std::move(deliver)), lost_(std::move(lost)) {
  std::string why;
  listen_fd_ = open_socket(host, std::to_string(port), true, why);
  if (listen_fd_ < 0)
    throw std::runtime_error("cannot listen for data connections on " + host + ":" +
                             std::to_string(port) + ": " + why);
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  const auto bound_port = bound.ss_family == AF_INET6
                              ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                              : reinterpret_cast<sockaddr_in*>(&bound)->sin_port;
  address_ = host + ":" + std::to_string(ntohs(bound_port));
  acceptor_ = std::thread([this] { accept_loop(); });
}

data_connections::~data_connections() {
  std::vector<std::shared_ptr<data_link>> links;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    closing_ = true;
    links.swap(retired_);
    for (auto& [peer, link] : links_)
      links.push_back(std::move(link));
    links_.clear();
    for (int fd : reader_fds_)
      ::shutdown(fd, SHUT_RDWR);
  }
  ::shutdown(listen_fd_, SHUT_RDWR);
  acceptor_.join();
  ::close(listen_fd_);
  for (auto& link : links)
    link->close_and_wait();
  for (auto& reader : readers_)
    reader.join();
  for (int fd : reader_fds_)
    ::close(fd);
}

std::shared_ptr<data_link> data_connections::open(const std::string& peer) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto& link = links_[peer];
  if (link && link->ended())
    retired_.push_back(std::move(link));
  if (!link)
    link = std::make_shared<data_link>(
        peer, address_, [this, peer](const std::string& why) { report_lost(peer, why); });
  return link;
}

void data_connections::report_lost(const std::string& peer, const std::string& why) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (closing_)
      return;
  }
  lost_(peer, why);
}

void data_connections::accept_loop() {
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    std::lock_guard<std::mutex> guard(mutex_);
    if (closing_) {
      if (fd >= 0)
        ::close(fd);
      return;
    }
    if (fd < 0)
      continue; // a connection reset before it was accepted, or out of descriptors for now
    reader_fds_.push_back(fd);
    readers_.emplace_back([this, fd] { read_loop(fd); });
  }
}

void data_connections::read_loop(int fd) {
  std::string why;
  char head[header_size];
  if (!read_exactly(fd, head, 8, why) || get<std::uint32_t>(head) != hello_magic)
    return; // not a Sluice data connection (a port scan, a probe): nothing was delivered
  std::string peer(get<std::uint32_t>(head + 4), '\0');
  if (peer.size() > 1024 || !read_exactly(fd, peer.data(), peer.size(), why))
    return;
  while (read_exactly(fd, head, header_size, why)) {
    data_frame f;
    f.receiver = get<std::uint64_t>(head);
    f.type = static_cast<data_frame::kind>(get<std::uint8_t>(head + 8));
    f.event = get<std::uint8_t>(head + 9);
    f.channel = get<std::int32_t>(head + 12);
    f.count = get<std::int32_t>(head + 16);
    f.records = get<std::uint32_t>(head + 20);
    f.value = get<std::int64_t>(head + 24);
    const auto size = get<std::uint32_t>(head + 32);
    if (size > max_frame_bytes) {
      why = "a frame of " + std::to_string(size) + " bytes: the stream is corrupt";
      break;
    }
    if (size > 0) {
      f.bytes = buffer_pool::process().take(size);
      f.bytes.resize(size);
      if (!read_exactly(fd, f.bytes.data(), size, why))
        break;
    }
    deliver_(std::move(f));
  }
  report_lost(peer, "receiving from it: " + why);
}

data_link::data_link(std::string peer, std::string self_address,
                     std::function<void(const std::string&)> on_lost)
    : peer_(std::move(peer)), self_address_(std::move(self_address)),
      on_lost_(std::move(on_lost)) {
  writer_ = std::thread([this] { write_loop(); });
}

data_link::~data_link() { close_and_wait(); }

void data_link::close_and_wait() {
  close();
  if (writer_.joinable())
    writer_.join();
}

void data_link::send(data_frame&& frame) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (ended_) {
    buffer_pool::process().give(std::move(frame.bytes));
    return;
  }
  queue_.push_back(std::move(frame));
  if (queue_.size() == 1)
    wake_.notify_one();
}

bool data_link::ended() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return ended_;
}

void data_link::close() {
  std::lock_guard<std::mutex> guard(mutex_);
  ended_ = true;
  queue_.clear();
  if (fd_ >= 0)
    ::shutdown(fd_, SHUT_RDWR);
  wake_.notify_one();
}

void data_link::write_loop() {
  std::string why;
  const auto [host, port] = split_address(peer_);
  const int fd = open_socket(host, port, false, why);
  bool ok = fd >= 0;
  if (!ok)
    why = "connecting: " + why;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    fd_ = fd;
    if (ended_ && ok)
      ::shutdown(fd, SHUT_RDWR);
  }
  if (ok) {
    std::vector<char> hello(8 + self_address_.size());
    put(hello.data(), hello_magic);
    put(hello.data() + 4, static_cast<std::uint32_t>(self_address_.size()));
    std::copy(self_address_.begin(), self_address_.end(), hello.begin() + 8);
    std::vector<iovec> iov{{hello.data(), hello.size()}};
    ok = write_iov(fd, iov, why);
  }
  std::vector<data_frame> frames;
  std::unique_lock<std::mutex> lock(mutex_);
  while (ok) {
    wake_.wait(lock, [&] { return ended_ || !queue_.empty(); });
    if (ended_)
      break;
    frames.swap(queue_);
    lock.unlock();
    ok = write_frames(fd, frames, why);
    for (auto& f : frames)
      buffer_pool::process().give(std::move(f.bytes));
    frames.clear();
    lock.lock();
  }
  const bool closed = ended_; // by close(): not a loss
  ended_ = true;
  queue_.clear();
  fd_ = -1;
  lock.unlock();
  if (fd >= 0)
    ::close(fd);
  if (!ok && !closed)
    on_lost_("sending to it: " + why);
}

} // namespace sluice
