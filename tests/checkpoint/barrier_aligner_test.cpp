// The barrier decisions of one input gate, event by event: aligned (blocking), at-least-once,
// unaligned (in-flight channels), the aligned timeout switching to unaligned, checkpoints told
// to align whatever the mode, finished
// channels, newer barriers and coordinator aborts, and protocol violations.

#include "sluice/checkpoint/barrier_aligner.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <vector>

using namespace sluice;
using kind = barrier_action::kind;
using cause = barrier_action::abort_cause;

namespace {

barrier_aligner aligned(int channels) {
  return barrier_aligner(channels, checkpointing_mode::exactly_once, false, 0);
}

barrier_aligner at_least_once(int channels) {
  return barrier_aligner(channels, checkpointing_mode::at_least_once, false, 0);
}

barrier_aligner unaligned(int channels, std::int64_t aligned_timeout_ms = 0) {
  return barrier_aligner(channels, checkpointing_mode::exactly_once, true, aligned_timeout_ms);
}

barrier_action trigger(std::int64_t id, std::int64_t first_ms, std::int64_t alignment_ms) {
  barrier_action a;
  a.what = kind::trigger_snapshot;
  a.checkpoint_id = id;
  a.first_barrier_ms = first_ms;
  a.alignment_ms = alignment_ms;
  return a;
}

barrier_action unaligned_trigger(std::int64_t id, std::vector<int> in_flight, std::int64_t first_ms,
                                 std::int64_t alignment_ms) {
  auto a = trigger(id, first_ms, alignment_ms);
  a.unaligned = true;
  a.in_flight_channels = std::move(in_flight);
  return a;
}

barrier_action simple(kind what, std::int64_t id) {
  barrier_action a;
  a.what = what;
  a.checkpoint_id = id;
  return a;
}

barrier_action aborted(std::int64_t id, cause why) {
  auto a = simple(kind::abort_checkpoint, id);
  a.cause = why;
  return a;
}

/// Which of the gate's channels are blocked.
std::vector<bool> blocked(const barrier_aligner& g) {
  std::vector<bool> out;
  for (int c = 0; c < g.channels(); ++c)
    out.push_back(g.is_blocked(c));
  return out;
}

/// Which of the gate's channels deliver in-flight data.
std::vector<bool> in_flight(const barrier_aligner& g) {
  std::vector<bool> out;
  for (int c = 0; c < g.channels(); ++c)
    out.push_back(g.records_in_flight(c));
  return out;
}

const barrier_actions none{};

} // namespace

TEST_CASE("aligned: channels block on the barrier until all have it, then snapshot and unblock") {
  auto g = aligned(3);
  CHECK(g.on_barrier(0, 1, 100) == none);
  CHECK(blocked(g) == std::vector<bool>{true, false, false});
  CHECK(g.current_checkpoint() == 1);
  CHECK(g.on_barrier(2, 1, 130) == none);
  CHECK(blocked(g) == std::vector<bool>{true, false, true});
  CHECK(g.on_barrier(1, 1, 160) ==
        barrier_actions{trigger(1, 100, 60), simple(kind::unblock_all, 1)});
  CHECK(blocked(g) == std::vector<bool>{false, false, false});
  CHECK(in_flight(g) == std::vector<bool>{false, false, false});
  CHECK_FALSE(g.current_checkpoint());
  CHECK_FALSE(g.alignment_deadline_ms());
}

TEST_CASE("aligned: one channel snapshots at its barrier with no alignment time") {
  auto g = aligned(1);
  CHECK(g.on_barrier(0, 5, 10) == barrier_actions{trigger(5, 10, 0), simple(kind::unblock_all, 5)});
  CHECK_FALSE(g.is_blocked(0));
}

TEST_CASE("aligned: a finished channel never holds up alignment") {
  auto g = aligned(3);
  CHECK(g.on_end_of_partition(1, 5) == none);
  CHECK(g.on_barrier(0, 1, 10) == none);
  CHECK(g.on_barrier(2, 1, 20) ==
        barrier_actions{trigger(1, 10, 10), simple(kind::unblock_all, 1)});

  // The last unaligned channel finishing completes the alignment.
  CHECK(g.on_barrier(0, 2, 100) == none);
  CHECK(g.on_end_of_partition(2, 140) ==
        barrier_actions{trigger(2, 100, 40), simple(kind::unblock_all, 2)});
}

TEST_CASE("aligned: a newer barrier aborts the alignment, older barriers are ignored") {
  auto g = aligned(3);
  CHECK(g.on_barrier(0, 1, 10) == none);
  CHECK(g.on_barrier(1, 2, 20) ==
        barrier_actions{aborted(1, cause::newer_barrier), simple(kind::unblock_all, 1)});
  CHECK(blocked(g) == std::vector<bool>{false, true, false});
  CHECK(g.current_checkpoint() == 2);
  CHECK(g.on_barrier(2, 1, 25) == none); // checkpoint 1's barrier, late
  CHECK(blocked(g) == std::vector<bool>{false, true, false});
  CHECK(g.on_barrier(0, 2, 30) == none);
  CHECK(g.on_barrier(2, 2, 40) ==
        barrier_actions{trigger(2, 20, 20), simple(kind::unblock_all, 2)});
}

TEST_CASE("a coordinator abort unblocks and makes later barriers of it be ignored") {
  auto g = aligned(2);
  CHECK(g.on_barrier(0, 3, 10) == none);
  CHECK(g.abort(2) == none); // not the one aligning
  CHECK(g.is_blocked(0));
  CHECK(g.abort(3) ==
        barrier_actions{aborted(3, cause::coordinator), simple(kind::unblock_all, 3)});
  CHECK(blocked(g) == std::vector<bool>{false, false});
  CHECK(g.on_barrier(1, 3, 20) == none);
  CHECK_FALSE(g.current_checkpoint());

  // Aborted before any of its barriers arrived.
  CHECK(g.abort(7) == none);
  CHECK(g.on_barrier(0, 7, 30) == none);
  CHECK_FALSE(g.is_blocked(0));
  CHECK(g.on_barrier(0, 8, 40) == none);
  CHECK(g.is_blocked(0));
}

TEST_CASE("at-least-once: nothing blocks, the last barrier triggers the snapshot") {
  auto g = at_least_once(3);
  CHECK(g.on_barrier(0, 1, 100) == none);
  CHECK(g.on_barrier(1, 1, 120) == none);
  CHECK(blocked(g) == std::vector<bool>{false, false, false});
  CHECK(g.on_barrier(2, 1, 150) == barrier_actions{trigger(1, 100, 50)});

  // A channel that delivered the barrier may go on, even finish.
  CHECK(g.on_barrier(0, 4, 200) == none);
  CHECK(g.on_end_of_partition(0, 210) == none);
  CHECK(g.on_end_of_partition(1, 220) == none);
  CHECK(g.on_barrier(2, 4, 230) == barrier_actions{trigger(4, 200, 30)});
}

TEST_CASE("at-least-once: a newer barrier aborts the pending checkpoint without unblocking") {
  auto g = at_least_once(2);
  CHECK(g.on_barrier(0, 2, 10) == none);
  CHECK(g.on_barrier(0, 3, 20) == barrier_actions{aborted(2, cause::newer_barrier)});
  CHECK(g.on_barrier(1, 2, 25) == none); // 2 is gone
  CHECK(g.on_barrier(1, 3, 30) == barrier_actions{trigger(3, 20, 10)});
}

TEST_CASE("unaligned: the first barrier snapshots, other channels carry in-flight data") {
  auto g = unaligned(3);
  CHECK(g.on_barrier(1, 1, 100) == barrier_actions{unaligned_trigger(1, {0, 2}, 100, 0)});
  CHECK(blocked(g) == std::vector<bool>{false, false, false});
  CHECK(in_flight(g) == std::vector<bool>{true, false, true});
  CHECK(g.on_barrier(0, 1, 130) == none);
  CHECK(in_flight(g) == std::vector<bool>{false, false, true});
  CHECK(g.on_barrier(2, 1, 160) == barrier_actions{simple(kind::in_flight_complete, 1)});
  CHECK(in_flight(g) == std::vector<bool>{false, false, false});
  CHECK_FALSE(g.current_checkpoint());
}

TEST_CASE("unaligned: finished channels carry nothing, one channel completes at once") {
  auto g = unaligned(3);
  CHECK(g.on_end_of_partition(2, 1) == none);
  CHECK(g.on_barrier(0, 5, 10) == barrier_actions{unaligned_trigger(5, {1}, 10, 0)});
  CHECK(g.on_end_of_partition(1, 20) == barrier_actions{simple(kind::in_flight_complete, 5)});

  auto single = unaligned(1);
  CHECK(single.on_barrier(0, 1, 5) ==
        barrier_actions{unaligned_trigger(1, {}, 5, 0), simple(kind::in_flight_complete, 1)});
}

TEST_CASE("unaligned: a newer barrier during the capture aborts it and snapshots the newer") {
  auto g = unaligned(2);
  CHECK(g.on_barrier(0, 1, 10) == barrier_actions{unaligned_trigger(1, {1}, 10, 0)});
  CHECK(g.on_barrier(0, 2, 20) ==
        barrier_actions{aborted(1, cause::newer_barrier), unaligned_trigger(2, {1}, 20, 0)});
  CHECK(g.records_in_flight(1));
  CHECK(g.abort(2) == barrier_actions{aborted(2, cause::coordinator)});
  CHECK_FALSE(g.records_in_flight(1));
}

TEST_CASE("aligned timeout: alignment longer than the timeout switches to unaligned") {
  auto g = unaligned(3, 100);
  CHECK(g.on_barrier(0, 1, 1000) == none);
  CHECK(g.alignment_deadline_ms() == 1101);
  CHECK(g.on_barrier(1, 1, 1100) == none); // 100 ms: not more than the timeout
  CHECK(blocked(g) == std::vector<bool>{true, true, false});
  CHECK(g.poll(1100) == none);
  CHECK(g.poll(1101) ==
        barrier_actions{unaligned_trigger(1, {2}, 1000, 101), simple(kind::unblock_all, 1)});
  CHECK(blocked(g) == std::vector<bool>{false, false, false});
  CHECK(in_flight(g) == std::vector<bool>{false, false, true});
  CHECK_FALSE(g.alignment_deadline_ms());
  CHECK(g.poll(5000) == none);
  CHECK(g.on_barrier(2, 1, 1200) == barrier_actions{simple(kind::in_flight_complete, 1)});
}

TEST_CASE("aligned timeout: any event notices it, a completing barrier stays aligned") {
  auto late = unaligned(3, 100);
  late.on_barrier(0, 1, 0);
  late.on_barrier(1, 1, 50);
  CHECK(late.on_barrier(2, 1, 500) ==
        barrier_actions{trigger(1, 0, 500), simple(kind::unblock_all, 1)});

  auto by_end = unaligned(3, 100);
  by_end.on_barrier(0, 1, 0);
  CHECK(by_end.on_end_of_partition(2, 150) ==
        barrier_actions{unaligned_trigger(1, {1}, 0, 150), simple(kind::unblock_all, 1)});

  auto by_old_barrier = unaligned(3, 100);
  by_old_barrier.on_barrier(0, 2, 0);
  CHECK(by_old_barrier.on_barrier(1, 1, 150) ==
        barrier_actions{unaligned_trigger(2, {1, 2}, 0, 150), simple(kind::unblock_all, 2)});
}

TEST_CASE("aligned timeout: the clock starts at a barrier queued behind input") {
  auto g = unaligned(2, 100);
  g.on_barrier_announced(1, 1000);
  CHECK(g.current_checkpoint() == 1);
  CHECK(g.alignment_deadline_ms() == 1101);
  g.on_barrier_announced(1, 1050); // a later arrival does not restart it
  CHECK(blocked(g) == std::vector<bool>{false, false});
  CHECK(g.poll(1101) ==
        barrier_actions{unaligned_trigger(1, {0, 1}, 1000, 101), simple(kind::unblock_all, 1)});
  CHECK(g.on_barrier(0, 1, 1102) == none);
  CHECK(g.on_barrier(1, 1, 1103) == barrier_actions{simple(kind::in_flight_complete, 1)});

  auto in_time = unaligned(2, 100);
  in_time.on_barrier_announced(1, 0);
  in_time.on_barrier(0, 1, 40);
  CHECK(in_time.on_barrier(1, 1, 60) ==
        barrier_actions{trigger(1, 0, 60), simple(kind::unblock_all, 1)});

  auto without_timeout = unaligned(2);
  without_timeout.on_barrier_announced(1, 0);
  CHECK_FALSE(without_timeout.current_checkpoint());
}

TEST_CASE("unaligned, a checkpoint told to align (a savepoint's, a rescale's) blocks and never "
          "switches; the next one is unaligned again") {
  auto g = unaligned(2);
  g.align(3);
  CHECK(g.on_barrier(0, 3, 100) == none);
  CHECK(blocked(g) == std::vector<bool>{true, false});
  CHECK(in_flight(g) == std::vector<bool>{false, false});
  CHECK(g.on_barrier(1, 3, 140) ==
        barrier_actions{trigger(3, 100, 40), simple(kind::unblock_all, 3)});
  CHECK(g.on_barrier(1, 4, 200) == barrier_actions{unaligned_trigger(4, {0}, 200, 0)});

  auto timed = unaligned(2, 10);
  timed.align(7);
  timed.on_barrier_announced(7, 0); // no clock: it never switches
  CHECK(timed.on_barrier(0, 7, 100) == none);
  CHECK_FALSE(timed.alignment_deadline_ms());
  CHECK(timed.poll(500) == none);
  CHECK(blocked(timed) == std::vector<bool>{true, false});
  CHECK(timed.on_barrier(1, 7, 600) ==
        barrier_actions{trigger(7, 100, 500), simple(kind::unblock_all, 7)});
}

TEST_CASE("protocol violations and bad channels are errors") {
  auto g = aligned(2);
  g.on_barrier(0, 1, 0);
  CHECK_THROWS_AS(g.on_barrier(0, 1, 1), std::logic_error);       // blocked
  CHECK_THROWS_AS(g.on_end_of_partition(0, 1), std::logic_error); // blocked
  CHECK_THROWS_AS(g.on_barrier(2, 1, 1), std::out_of_range);
  CHECK_THROWS_AS(g.is_blocked(-1), std::out_of_range);
  g.on_end_of_partition(1, 1);
  CHECK_THROWS_AS(g.on_end_of_partition(1, 2), std::logic_error); // finished twice
  CHECK_THROWS_AS(g.on_barrier(1, 2, 2), std::logic_error);       // finished

  auto loose = at_least_once(2);
  loose.on_barrier(0, 1, 0);
  CHECK_THROWS_AS(loose.on_barrier(0, 1, 1), std::logic_error); // the same barrier twice

  CHECK_THROWS_AS(aligned(0), std::invalid_argument);
  CHECK_THROWS_AS(barrier_aligner(2, checkpointing_mode::at_least_once, true, 0),
                  std::invalid_argument);
  CHECK_THROWS_AS(barrier_aligner(2, checkpointing_mode::exactly_once, false, 100),
                  std::invalid_argument);
}

TEST_CASE("a gate takes mode, unaligned switch and timeout from the checkpoint config") {
  checkpoint_config c;
  c.unaligned = true;
  c.aligned_timeout_ms = 50;
  barrier_aligner g(2, c);
  CHECK(g.on_barrier(0, 1, 0) == none);
  CHECK(g.is_blocked(0));
  CHECK(g.alignment_deadline_ms() == 51);
}
