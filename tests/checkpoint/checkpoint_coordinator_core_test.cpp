// The coordinator's bookkeeping with time passed in: the periodic schedule with its minimum
// pause, acknowledgements turned into metadata, declines, timeouts, the consecutive failure
// count against the tolerable number, monotonic ids across restores, and statistics.

#include "checkpoint_test_support.hpp"
#include "sluice/checkpoint/checkpoint_coordinator_core.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

using namespace sluice;
using namespace sluice::test;

namespace {

const subtask_id source0{"source", 0};
const subtask_id count0{"count", 0};
const subtask_id count1{"count", 1};

/// Interval 1000 ms, timeout 5000 ms, minimum pause 300 ms.
checkpoint_config test_config() {
  checkpoint_config c;
  c.interval_ms = 1000;
  c.timeout_ms = 5000;
  c.min_pause_ms = 300;
  c.checkpoint_dir = "/ckpt";
  return c;
}

/// A coordinator for "source" (parallelism 1) and "count" (parallelism 2), started at 0.
checkpoint_coordinator_core make_core(const checkpoint_config& c = test_config()) {
  return checkpoint_coordinator_core(c, "job-a", "heap", {{"source", 1, 128}, {"count", 2, 128}},
                                     0);
}

/// count's subtask `index` acknowledges with its keyed handle (100 + index bytes).
checkpoint_ack count_ack(int index, std::int64_t alignment_ms = 0, std::int64_t delay_ms = 0) {
  checkpoint_ack a;
  a.state.keyed_state = sample_keyed_handle("/ckpt/job-a", index);
  a.stats.alignment_ms = alignment_ms;
  a.stats.start_delay_ms = delay_ms;
  return a;
}

/// source's acknowledgement: 40 bytes of operator state, 8 bytes of in-flight data.
checkpoint_ack source_ack() {
  checkpoint_ack a;
  a.state.operator_state = operator_state_handle{"/ckpt/job-a/op.state", 0, 40};
  a.state.blobs["offset"] = "42";
  a.stats.in_flight_bytes = 8;
  return a;
}

/// Every subtask acknowledges `id` at `at_ms`; returns the status of the last.
ack_status ack_all(checkpoint_coordinator_core& core, std::int64_t id, std::int64_t at_ms) {
  core.acknowledge(id, source0, source_ack(), at_ms);
  core.acknowledge(id, count0, count_ack(0), at_ms);
  return core.acknowledge(id, count1, count_ack(1), at_ms).status;
}

} // namespace

TEST_CASE("periodic checkpoints are due an interval apart and a minimum pause after the last") {
  auto core = make_core();
  CHECK(core.next_trigger_ms() == 1000);
  CHECK_FALSE(core.should_trigger(999));
  CHECK(core.should_trigger(1000));
  CHECK(core.trigger(1000) == 1);
  CHECK_FALSE(core.next_trigger_ms()); // one pending: no second
  CHECK_FALSE(core.should_trigger(5000));

  CHECK(ack_all(core, 1, 1200) == ack_status::all_acknowledged);
  core.complete(1, 1250);
  // max(1000 + 1000, 1250 + 300)
  CHECK(core.next_trigger_ms() == 2000);
  CHECK(core.trigger(2000) == 2);
  CHECK(ack_all(core, 2, 2800) == ack_status::all_acknowledged);
  core.complete(2, 2900);
  // max(2000 + 1000, 2900 + 300): the pause wins
  CHECK(core.next_trigger_ms() == 3200);
  CHECK_FALSE(core.should_trigger(3199));
  CHECK(core.should_trigger(3200));
}

TEST_CASE("a checkpoint completes when every expected subtask acknowledged, others are ignored") {
  auto core = make_core();
  const auto id = core.trigger(1000);
  CHECK(core.acknowledge(id, source0, source_ack(), 1100).status == ack_status::acknowledged);
  CHECK(core.acknowledge(id, source0, source_ack(), 1110).status == ack_status::duplicate);
  CHECK(core.acknowledge(id, {"count", 5}, count_ack(0), 1120).status ==
        ack_status::unexpected_subtask);
  CHECK(core.acknowledge(id, {"sink", 0}, count_ack(0), 1120).status ==
        ack_status::unexpected_subtask);
  CHECK(core.acknowledge(99, count0, count_ack(0), 1130).status == ack_status::unknown_checkpoint);
  CHECK(core.acknowledge(id, count1, count_ack(1), 1200).status == ack_status::acknowledged);
  CHECK_THROWS_AS(core.complete(id, 1200), std::logic_error);

  const auto last = core.acknowledge(id, count0, count_ack(0), 1300);
  REQUIRE(last.status == ack_status::all_acknowledged);
  REQUIRE(last.metadata);
  checkpoint_metadata expected;
  expected.job_id = "job-a";
  expected.checkpoint_id = 1;
  expected.timestamp_ms = 1000;
  expected.state_backend = "heap";
  expected.operators["source"] = {1, 128, {{0, source_ack().state}}};
  expected.operators["count"] = {2, 128, {{0, count_ack(0).state}, {1, count_ack(1).state}}};
  CHECK(*last.metadata == expected);

  const auto stats = core.complete(id, 1350);
  CHECK(stats.status == checkpoint_status::completed);
  CHECK(stats.duration_ms(0) == 350);
  CHECK(stats.state_bytes() == 40 + 8 + 100 + 101);
  CHECK(core.latest_completed_id() == 1);
  CHECK(core.pending_ids().empty());
  CHECK(core.acknowledge(id, count0, count_ack(0), 1400).status == ack_status::unknown_checkpoint);
}

TEST_CASE("subtasks left out at trigger (finished ones) need not acknowledge") {
  auto core = make_core();
  const auto id = core.trigger(1000, snapshot_kind::checkpoint, {count0, count1});
  CHECK(core.acknowledge(id, source0, source_ack(), 1100).status == ack_status::unexpected_subtask);
  core.acknowledge(id, count1, count_ack(1), 1100);
  const auto last = core.acknowledge(id, count0, count_ack(0), 1200);
  REQUIRE(last.status == ack_status::all_acknowledged);
  CHECK(last.metadata->operators.at("source").subtasks.empty());
  CHECK(last.metadata->operators.at("source").parallelism == 1);
  CHECK(last.metadata->operators.at("count").subtasks.size() == 2);
}

TEST_CASE("triggering checks the expected subtasks and the concurrency limit") {
  auto core = make_core();
  auto trigger_expecting = [&](std::vector<subtask_id> expected) {
    core.trigger(0, snapshot_kind::checkpoint, std::move(expected));
  };
  CHECK_THROWS_AS(trigger_expecting({}), std::invalid_argument);
  CHECK_THROWS_AS(trigger_expecting({{"count", 2}}), std::invalid_argument);
  CHECK_THROWS_AS(trigger_expecting({{"sink", 0}}), std::invalid_argument);
  CHECK_THROWS_AS(trigger_expecting({count0, count0}), std::invalid_argument);
  CHECK(core.next_checkpoint_id() == 1); // nothing was started
  core.trigger(0);
  CHECK(error_of([&] { core.trigger(10); }) ==
        "cannot trigger a checkpoint: 1 checkpoint(s) pending, at most 1 allowed");

  auto c = test_config();
  c.max_concurrent = 2;
  auto two = make_core(c);
  CHECK(two.trigger(1000) == 1);
  CHECK(two.should_trigger(2000));
  CHECK(two.trigger(2000) == 2);
  CHECK_FALSE(two.next_trigger_ms());
  CHECK(two.pending_ids() == std::vector<std::int64_t>{1, 2});
}

TEST_CASE("a decline aborts the checkpoint and counts as a failure") {
  auto core = make_core();
  const auto id = core.trigger(1000);
  core.acknowledge(id, source0, source_ack(), 1100);
  const auto failure = core.decline(id, count1, "disk full", 1200);
  REQUIRE(failure);
  CHECK(failure->checkpoint_id == 1);
  CHECK(failure->reason == failure_reason::declined);
  CHECK(failure->message == "declined by count[1]: disk full");
  CHECK(failure->counted);
  CHECK(core.consecutive_failures() == 1);
  CHECK(core.job_should_fail()); // tolerable 0 by default
  CHECK(core.acknowledge(id, count0, count_ack(0), 1300).status == ack_status::unknown_checkpoint);
  CHECK_FALSE(core.decline(id, count0, "late", 1300));
  // The pause counts from the abort: max(1000 + 1000, 1200 + 300).
  CHECK(core.next_trigger_ms() == 2000);
}

TEST_CASE("timeouts expire checkpoints, consecutive failures past the tolerable fail the job") {
  auto c = test_config();
  c.tolerable_failures = 1;
  auto core = make_core(c);
  const auto first = core.trigger(1000);
  core.decline(first, count0, "busy", 1100);
  CHECK(core.consecutive_failures() == 1);
  CHECK_FALSE(core.job_should_fail());

  const auto second = core.trigger(2000);
  core.acknowledge(second, count1, count_ack(1), 2100);
  CHECK(core.check_timeouts(6999).empty());
  const auto expired = core.check_timeouts(7000);
  REQUIRE(expired.size() == 1);
  CHECK(expired[0].checkpoint_id == second);
  CHECK(expired[0].reason == failure_reason::expired);
  CHECK(expired[0].message ==
        "not acknowledged within 5000 ms by 2 of 3 subtasks: count[0], source[0]");
  CHECK(core.consecutive_failures() == 2);
  CHECK(core.job_should_fail());

  const auto third = core.trigger(8000);
  ack_all(core, third, 8100);
  core.complete(third, 8200);
  CHECK(core.consecutive_failures() == 0);
  CHECK_FALSE(core.job_should_fail());
}

TEST_CASE("savepoints neither move the periodic schedule nor count as failures") {
  auto core = make_core();
  const auto id = core.trigger(500, snapshot_kind::savepoint);
  CHECK(core.acknowledge(id, source0, source_ack(), 550).status == ack_status::acknowledged);
  const auto failure = core.abort(id, failure_reason::finalize_failed, "disk", 600);
  REQUIRE(failure);
  CHECK_FALSE(failure->counted);
  CHECK(core.consecutive_failures() == 0);
  CHECK(core.next_trigger_ms() == 1000); // max(0 + 1000, 600 + 300)

  const auto next = core.trigger(1000, snapshot_kind::savepoint);
  ack_all(core, next, 1100);
  CHECK(core.complete(next, 1150).kind == snapshot_kind::savepoint);
  CHECK_FALSE(core.latest_completed_id()); // a savepoint is not a retained checkpoint
}

TEST_CASE("ids increase monotonically across restores, a restart aborts what is pending") {
  auto core = make_core();
  core.restore_from(41);
  CHECK(core.next_checkpoint_id() == 42);
  CHECK(core.trigger(1000) == 42);
  core.restore_from(10); // an older checkpoint: ids still go up
  CHECK(core.next_checkpoint_id() == 43);
  core.decline(42, count0, "failing", 1100);
  CHECK(core.consecutive_failures() == 1);

  const auto pending = core.trigger(2000);
  const auto aborted = core.on_job_restart(7000);
  REQUIRE(aborted.size() == 1);
  CHECK(aborted[0].checkpoint_id == pending);
  CHECK(aborted[0].reason == failure_reason::job_failover);
  CHECK_FALSE(aborted[0].counted);
  CHECK(core.consecutive_failures() == 0);
  CHECK(core.next_trigger_ms() == 8000); // max(7000 + 1000, 7000 + 300)
  CHECK(core.trigger(8000) == 44);
}

TEST_CASE("without an interval nothing is due, but a savepoint can still be triggered") {
  auto c = test_config();
  c.interval_ms = 0;
  auto core = make_core(c);
  CHECK_FALSE(core.next_trigger_ms());
  CHECK_FALSE(core.should_trigger(1000000));
  CHECK(core.trigger(5, snapshot_kind::savepoint) == 1);
}

TEST_CASE("statistics: per-subtask measurements, one-line summaries, the last ten kept") {
  auto core = make_core();
  const auto id = core.trigger(1000);
  core.acknowledge(id, count1, count_ack(1, 12, 3), 1100);
  const auto* pending = core.pending_stats(id);
  REQUIRE(pending);
  CHECK(pending->to_string(1150) == "checkpoint 1 in progress for 150 ms: 1/3 subtasks, 101 "
                                    "bytes, alignment max 12 ms, start delay max 3 ms");
  REQUIRE(pending->acks.size() == 1);
  CHECK(pending->acks[0].task == count1);
  CHECK(pending->acks[0].ack_ms == 100);
  CHECK(pending->acks[0].state_bytes == 101);
  core.acknowledge(id, count0, count_ack(0, 30, 40), 1200);
  core.acknowledge(id, source0, source_ack(), 1300);
  const auto stats = core.complete(id, 1350);
  CHECK(stats.max_alignment_ms() == 30);
  CHECK(stats.max_start_delay_ms() == 40);
  CHECK(stats.to_string(99999) == "checkpoint 1 completed in 350 ms: 3/3 subtasks, 249 bytes, "
                                  "alignment max 30 ms, start delay max 40 ms");
  CHECK_FALSE(core.pending_stats(id));

  const auto failed = core.trigger(2000);
  core.check_timeouts(7000);
  REQUIRE(core.history().find(failed));
  CHECK(core.history().find(failed)->to_string(0) ==
        "checkpoint 2 failed after 5000 ms (expired: not acknowledged within 5000 ms by 3 of 3 "
        "subtasks: count[0], count[1], source[0]): 0/3 subtasks, 0 bytes, alignment max 0 ms, "
        "start delay max 0 ms");

  for (std::int64_t t = 10000; t < 20000; t += 1000) {
    const auto next = core.trigger(t);
    ack_all(core, next, t + 10);
    core.complete(next, t + 20);
  }
  const auto& kept = core.history().entries();
  REQUIRE(kept.size() == 10);
  CHECK(kept.front().checkpoint_id == 3);
  CHECK(kept.back().checkpoint_id == 12);
  CHECK_FALSE(core.history().find(1));
}

TEST_CASE("a coordinator refuses an invalid configuration or operator list") {
  auto c = test_config();
  c.interval_ms = 5;
  CHECK_THROWS_AS(make_core(c), std::invalid_argument);
  auto with_operators = [](std::vector<operator_layout> operators) {
    checkpoint_coordinator_core(test_config(), "j", "heap", std::move(operators), 0);
  };
  CHECK_THROWS_AS(with_operators({{"a", 1, 8}, {"a", 2, 8}}), std::invalid_argument);
  CHECK_THROWS_AS(with_operators({{"a", 9, 8}}), std::invalid_argument);
}
