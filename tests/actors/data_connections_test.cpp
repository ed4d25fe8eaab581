// The data connections between task manager processes (data_connections.hpp), two of them in one
// process over loopback: frames arrive whole and in order, and an ended connection is announced
// with the peer's address.

#include "sluice/actors/data_connections.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using sluice::data_connections;
using sluice::data_frame;

namespace {

/// What one side received and was told, with a wait for it.
struct inbox {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<data_frame> frames;
  std::vector<std::pair<std::string, std::string>> lost;

  data_connections::deliver_fn deliver() {
    return [this](data_frame&& f) {
      std::lock_guard<std::mutex> guard(mutex);
      frames.push_back(std::move(f));
      changed.notify_all();
    };
  }
  data_connections::lost_fn on_lost() {
    return [this](const std::string& peer, const std::string& why) {
      std::lock_guard<std::mutex> guard(mutex);
      lost.emplace_back(peer, why);
      changed.notify_all();
    };
  }
  /// Waits until `done` holds; the bound only keeps a broken build from hanging the suite.
  template <class F>
  bool wait(F done) {
    std::unique_lock<std::mutex> lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(60), done);
  }
};

/// Frame i of a test sequence: batches of sizes from empty to larger than a socket's buffer,
/// events and credits in turn, every field derived from i.
data_frame frame(int i) {
  data_frame f;
  f.receiver = 1000 + static_cast<std::uint64_t>(i);
  f.channel = i % 7;
  switch (i % 3) {
    case 0: {
      f.type = data_frame::kind::batch;
      f.count = i % 5;
      f.records = static_cast<std::uint32_t>(i * 3);
      const std::size_t size = (i % 4 == 0) ? 0 : static_cast<std::size_t>(i) * 9973 % 700000;
      for (std::size_t b = 0; b < size; ++b)
        f.bytes.push_back(static_cast<char>((b * 31 + static_cast<std::size_t>(i)) % 251));
      break;
    }
    case 1:
      f.type = data_frame::kind::event;
      f.event = static_cast<std::uint8_t>(i % 5);
      f.value = -5000000000LL + i;
      break;
    default:
      f.type = data_frame::kind::credit;
      f.count = i % 9;
      break;
  }
  return f;
}

void check_same(const data_frame& got, const data_frame& want) {
  CHECK(got.receiver == want.receiver);
  CHECK(got.type == want.type);
  CHECK(got.event == want.event);
  CHECK(got.channel == want.channel);
  CHECK(got.count == want.count);
  CHECK(got.records == want.records);
  CHECK(got.value == want.value);
  CHECK(got.bytes == want.bytes);
}

/// A loopback port nothing listens on (bound, then closed).
int unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

} // namespace

TEST_CASE("data connections: frames arrive whole and in order, from two senders on one link") {
  inbox at_a, at_b;
  data_connections a("127.0.0.1", 0, at_a.deliver(), at_a.on_lost());
  data_connections b("127.0.0.1", 0, at_b.deliver(), at_b.on_lost());
  CHECK(a.address().rfind("127.0.0.1:", 0) == 0);
  CHECK(a.address() != b.address());
  auto link = a.open(b.address());
  CHECK(a.open(b.address()).get() == link.get()); // one connection per pair of processes
  constexpr int n = 60;
  for (int i = 0; i < n; ++i)
    link->send(frame(i));
  REQUIRE(at_b.wait([&] { return at_b.frames.size() == n; }));
  for (int i = 0; i < n; ++i)
    check_same(at_b.frames[static_cast<std::size_t>(i)], frame(i));
  CHECK(at_a.frames.empty());
  CHECK(at_a.lost.empty());
  CHECK(at_b.lost.empty());
}

TEST_CASE("data connections: a sender that goes is announced to the receiver with its address") {
  inbox at_a, at_b;
  data_connections b("127.0.0.1", 0, at_b.deliver(), at_b.on_lost());
  std::string a_address;
  {
    data_connections a("127.0.0.1", 0, at_a.deliver(), at_a.on_lost());
    a_address = a.address();
    a.open(b.address())->send(frame(1));
    REQUIRE(at_b.wait([&] { return at_b.frames.size() == 1; }));
  }
  REQUIRE(at_b.wait([&] { return !at_b.lost.empty(); }));
  CHECK(at_b.lost[0].first == a_address);
  CHECK(at_b.lost[0].second == "receiving from it: the connection was closed");
  CHECK(at_a.lost.empty()); // closing announces nothing
}

TEST_CASE("data connections: a peer that does not listen is announced, and a new link replaces "
          "the ended one") {
  inbox at_a;
  data_connections a("127.0.0.1", 0, at_a.deliver(), at_a.on_lost());
  const auto nowhere = "127.0.0.1:" + std::to_string(unused_port());
  auto link = a.open(nowhere);
  link->send(frame(0)); // dropped: the connection never opens
  REQUIRE(at_a.wait([&] { return !at_a.lost.empty(); }));
  CHECK(at_a.lost[0].first == nowhere);
  CHECK(at_a.lost[0].second == "sending to it: connecting: Connection refused");
  CHECK(link->ended());
  CHECK(a.open(nowhere).get() != link.get());
}

TEST_CASE("data connections: an address it cannot listen on is an error naming it") {
  inbox at_a;
  try {
    data_connections a("host.invalid", 0, at_a.deliver(), at_a.on_lost());
    FAIL("listened on host.invalid");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).rfind("cannot listen for data connections on host.invalid:0: ",
                                      0) == 0);
  }
}
