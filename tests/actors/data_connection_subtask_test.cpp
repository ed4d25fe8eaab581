// A subtask whose peers run in another process (remote_data_plane.hpp): its input's credits and
// its output's events go on the data connection to that process, what that process sends it
// arrives from the connection, and when the connection ends while its channels are open, the
// subtask fails naming the peer. The test plays the other process with a bare data_connections
// and the job manager with a scoped actor. And the end of a connection is announced only to the
// subtasks that opened a connection to that process.

#include "../../actors/src/remote_data_plane.hpp"
#include "../../actors/src/subtask_actor.hpp"

#include "job_test_util.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

using namespace sluice;

namespace {

/// The frames the other process received, with a wait for one.
struct peer_inbox {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<data_frame> frames;

  void add(data_frame&& f) {
    std::lock_guard<std::mutex> guard(mutex);
    frames.push_back(std::move(f));
    changed.notify_all();
  }
  /// The first frame `match` accepts, once it arrived; the bound only keeps a broken build
  /// from hanging the suite.
  template <class F>
  std::optional<data_frame> wait_for(F match) {
    std::unique_lock<std::mutex> lock(mutex);
    std::optional<data_frame> found;
    changed.wait_for(lock, std::chrono::seconds(60), [&] {
      for (auto& f : frames)
        if (match(f)) {
          found = f;
          return true;
        }
      return false;
    });
    return found;
  }
};

} // namespace

TEST_CASE("subtask: credits and events to another process take the data connection, and its "
          "end fails the subtask naming the peer") {
  auto config = test::test_config(1);
  config.cluster.heartbeat_timeout_ms = 1;
  const test::relay_job job(config);
  const auto& plan = job.plan;
  const int relay = job.relay;

  caf::actor_system_config cfg;
  register_messages(cfg);
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys}; // the job manager, and the handle of both peers
  const auto me = caf::actor_cast<caf::actor>(self);
  auto here = std::make_shared<remote_data_plane>("127.0.0.1");
  peer_inbox at_peer;
  std::string peer_address;
  caf::actor subtask;
  {
    data_connections peer(
        "127.0.0.1", 0, [&](data_frame&& f) { at_peer.add(std::move(f)); },
        [](const std::string&, const std::string&) {});
    peer_address = peer.address();
    subtask_setup setup{plan, std::make_shared<const job_config>(config), "remote peers", relay,
                        0, me, std::make_shared<subtask_counters>(), "", {}, here};
    subtask = sys.spawn<subtask_actor>(std::move(setup));
    here->add_receiver(subtask);
    // The relay's upstream and downstream run in the peer process.
    std::vector<caf::actor> subtasks(plan->vertices().size(), me);
    subtasks[static_cast<std::size_t>(relay)] = subtask;
    std::vector<std::string> addresses(plan->vertices().size(), peer_address);
    addresses[static_cast<std::size_t>(relay)] = here->address();
    self->send(subtask, start_msg{subtasks, addresses});

    // The relay's input gate grants its upstream credits: on the connection, to the upstream.
    auto credit = at_peer.wait_for([](const data_frame& f) {
      return f.type == data_frame::kind::credit;
    });
    REQUIRE(credit);
    CHECK(credit->receiver == me.id());
    CHECK(credit->channel == 0);
    CHECK(credit->count == config.exclusive_credits);

    // A watermark from the upstream arrives from the connection and goes on to the downstream.
    const std::int64_t watermark = 5;
    data_frame event;
    event.receiver = subtask.id();
    event.type = data_frame::kind::event;
    event.event = static_cast<std::uint8_t>(event_kind::watermark);
    event.value = watermark;
    peer.open(here->address())->send(std::move(event));
    auto forwarded = at_peer.wait_for([](const data_frame& f) {
      return f.type == data_frame::kind::event;
    });
    REQUIRE(forwarded);
    CHECK(forwarded->receiver == me.id());
    CHECK(forwarded->channel == 0);
    CHECK(forwarded->event == static_cast<std::uint8_t>(event_kind::watermark));
    CHECK(forwarded->value == watermark);
  } // the peer process goes, its channels still open

  std::optional<subtask_failed_msg> failed;
  self->receive([&](const subtask_failed_msg& m) { failed = m; });
  REQUIRE(failed);
  CHECK(failed->vertex == relay);
  const std::string expected = "subtask relay (1/1) failed: the data connection with the task "
                               "manager at " + peer_address + " ended (";
  CHECK(failed->error.substr(0, expected.size()) == expected);
  CHECK(failed->error.find("did not cancel the subtask within --heartbeat-timeout-ms") !=
        std::string::npos);
}

TEST_CASE("remote data plane: a connection's end is announced only to the subtasks that opened a "
          "connection to that process") {
  caf::actor_system_config cfg;
  register_messages(cfg);
  caf::actor_system sys{cfg};
  caf::scoped_actor with_p{sys}; // a subtask with channels to or from process p
  caf::scoped_actor with_q{sys}; // one with channels to or from process q only
  const auto subtask_p = caf::actor_cast<caf::actor>(with_p);
  const auto subtask_q = caf::actor_cast<caf::actor>(with_q);
  remote_data_plane here("127.0.0.1");
  here.add_receiver(subtask_p);
  here.add_receiver(subtask_q);
  auto ignore_lost = [](const std::string&, const std::string&) {};
  std::optional<data_connections> p, q;
  p.emplace("127.0.0.1", 0, [](data_frame&&) {}, ignore_lost);
  q.emplace("127.0.0.1", 0, [](data_frame&&) {}, ignore_lost);
  const std::string p_address = p->address();
  const std::string q_address = q->address();
  here.open(p_address, subtask_p.id());
  here.open(q_address, subtask_q.id());
  // Each process sends its subtask a credit: once it arrived, that process's connection to this
  // one is up, and its end is a loss.
  auto credit = [](const caf::actor& to) {
    data_frame f;
    f.receiver = to.id();
    f.type = data_frame::kind::credit;
    f.count = 1;
    return f;
  };
  p->open(here.address())->send(credit(subtask_p));
  q->open(here.address())->send(credit(subtask_q));
  with_p->receive([](const credit_msg&) {});
  with_q->receive([](const credit_msg&) {});

  std::string lost;
  p.reset(); // process p goes
  with_p->receive([&](const data_connection_lost_msg& m) { lost = m.peer; });
  CHECK(lost == p_address);
  q.reset();
  // Told nothing of p: the first end announced to it is q's.
  with_q->receive([&](const data_connection_lost_msg& m) { lost = m.peer; });
  CHECK(lost == q_address);
}
