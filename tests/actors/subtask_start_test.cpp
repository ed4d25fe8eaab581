// The job manager starts the subtasks one after another, so an upstream subtask may send its
// in-band events (watermarks, end of input: they need no credit) to a downstream subtask whose
// start_msg has not arrived yet. The subtask must process them once started: a subtask that
// got its whole input before its start_msg otherwise waited forever, and the job never ended.

#include "../../actors/src/subtask_actor.hpp"

#include "job_test_util.hpp"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

using namespace sluice;

TEST_CASE("subtask: in-band events that arrived before start_msg are processed at start") {
  const auto config = test::test_config(1);
  const test::relay_job job(config);
  const auto& plan = job.plan;
  const int relay = job.relay;

  caf::actor_system_config cfg;
  register_messages(cfg);
  caf::actor_system sys{cfg};
  // The test plays the relay's upstream, its downstream and its job manager.
  caf::scoped_actor self{sys};
  const auto me = caf::actor_cast<caf::actor>(self);
  subtask_setup setup{plan, std::make_shared<const job_config>(config), "early events", relay, 0,
                      me, std::make_shared<subtask_counters>(), "", {}, nullptr};
  auto subtask = sys.spawn<subtask_actor>(std::move(setup));

  // The upstream's whole output, before the job manager's start_msg.
  const std::int64_t watermark = 5;
  self->send(subtask, event_msg{0, static_cast<std::uint8_t>(event_kind::watermark), watermark});
  self->send(subtask, event_msg{0, static_cast<std::uint8_t>(event_kind::end_of_input), 0});
  std::vector<caf::actor> subtasks(plan->vertices().size(), me); // by vertex: one subtask each
  subtasks[static_cast<std::size_t>(relay)] = subtask;
  self->send(subtask, start_msg{subtasks, {}});
  // The job manager's close ends the subtask in any case: the test fails rather than hangs if
  // the events stayed queued (the subtask then closes without forwarding them).
  self->send(subtask, close_subtask_atom::value);

  std::vector<std::pair<event_kind, std::int64_t>> forwarded;
  bool done = false;
  while (!done)
    self->receive(
        [&](const event_msg& m) {
          CHECK(m.channel == 0);
          forwarded.emplace_back(static_cast<event_kind>(m.kind), m.value);
        },
        [&](const credit_msg&) {}, // the grant of the relay's input gate
        [&](const subtask_done_msg& m) {
          CHECK(m.vertex == relay);
          CHECK(m.subtask == 0);
          done = true;
        });
  // The watermark passes through; the end of input brings the final watermark, then the end.
  const std::vector<std::pair<event_kind, std::int64_t>> expected{
      {event_kind::watermark, watermark},
      {event_kind::watermark, max_watermark},
      {event_kind::end_of_input, 0}};
  CHECK(forwarded == expected);
}
