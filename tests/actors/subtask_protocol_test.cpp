// The credit protocol and barrier forwarding between subtask actors, deterministically: the
// subtasks run on CAF's test_coordinator one message at a time, in the order the test picks
// (a subtask "stops taking input" when the test does not run its messages), and every message
// a subtask takes is seen before it handles it (stepped_job.hpp). The test plays the job
// manager. Expected values come from the plan's inputs and the messages seen; the threaded
// jobs (backpressure_test.cpp, checkpoint_test.cpp) check the same at scale.

#include "../temp_dir.hpp"
#include "job_test_util.hpp"
#include "stepped_job.hpp"

#include "sluice/actors/checkpoint_ids.hpp"
#include "sluice/checkpoint/checkpoint_storage.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

using namespace sluice;
using sluice::test::delivery;
using sluice::test::stepped_job;
using sluice::test::temp_dir;
using sluice::test::test_config;
using sluice::test::vertex_named;

namespace {

/// `count` consecutive numbers from `first`.
std::vector<std::int64_t> numbers(std::int64_t first, std::int64_t count) {
  std::vector<std::int64_t> out;
  for (std::int64_t i = 0; i < count; ++i)
    out.push_back(first + i);
  return out;
}

/// The plan of `values` from a source ("numbers") to `sink` ("collect"), not chained.
std::shared_ptr<const execution_plan> source_to_sink(const job_config& config,
                                                     const std::vector<std::int64_t>& values,
                                                     collecting_sink<std::int64_t>& sink) {
  environment env(config);
  env.from_source(collection_source<std::int64_t>{values}, "numbers")
      .sink_to(sink, "collect")
      .disable_chaining();
  auto plan = env.plan();
  REQUIRE(plan->vertices().size() == 2);
  return plan;
}

/// The channel from subtask `up` to subtask `down` as the messages tell it: the batches `up`
/// sent (taken by `down` or waiting in its mailbox) and the credits `up` received from `down`.
struct channel_account {
  int sent = 0;
  std::int64_t credits = 0;
};

channel_account account(stepped_job& job, int up, int down) {
  channel_account a;
  a.sent = job.queued_batches(up, down);
  for (const auto& d : job.deliveries()) {
    if (d.what == delivery::kind::batch && d.from == up && d.to == down)
      ++a.sent;
    if (d.what == delivery::kind::credit && d.from == down && d.to == up)
      a.credits += d.value;
  }
  return a;
}

/// Counts, after every message run, the steps at which some channel had more batches sent
/// than credits received by its sender.
class credit_watch {
public:
  credit_watch(stepped_job& job, std::vector<std::pair<int, int>> channels)
      : channels_(std::move(channels)) {
    job.after_step = [this, &job] {
      for (const auto& [up, down] : channels_) {
        const auto a = account(job, up, down);
        violations_ += a.sent > a.credits;
      }
    };
  }
  int violations() const { return violations_; }

private:
  std::vector<std::pair<int, int>> channels_;
  int violations_ = 0;
};

bool is_barrier(const delivery& d, std::int64_t id) {
  return d.what == delivery::kind::event && d.event == event_kind::barrier && d.value == id;
}

/// What `sink` had collected when subtask `down` took barrier `id`; after the hook set before
/// it (a credit_watch), run after every step.
class collected_at_barrier {
public:
  collected_at_barrier(stepped_job& job, int down, std::int64_t id,
                       const collecting_sink<std::int64_t>& sink) {
    job.after_step = [this, &job, &sink, down, id, before = job.after_step] {
      if (before)
        before();
      for (; seen_ < job.deliveries().size(); ++seen_)
        if (job.deliveries()[seen_].to == down && is_barrier(job.deliveries()[seen_], id))
          records_ = sink.results();
    };
  }
  const std::vector<std::int64_t>& records() const { return records_; }

private:
  std::size_t seen_ = 0;
  std::vector<std::int64_t> records_;
};

/// The batches and events `down` took from `up`, in order.
std::vector<delivery> channel_items(const stepped_job& job, int up, int down) {
  std::vector<delivery> out;
  for (const auto& d : job.deliveries())
    if (d.from == up && d.to == down &&
        (d.what == delivery::kind::batch || d.what == delivery::kind::event))
      out.push_back(d);
  return out;
}

/// The records in the batches of `items` before barrier `id` (all of them without one).
std::int64_t records_before_barrier(const std::vector<delivery>& items, std::int64_t id) {
  std::int64_t n = 0;
  for (const auto& d : items) {
    if (is_barrier(d, id))
      break;
    if (d.what == delivery::kind::batch)
      n += d.value;
  }
  return n;
}

std::int64_t records_in(const std::vector<delivery>& items) {
  return records_before_barrier(items, -1);
}

std::size_t barriers_in(const std::vector<delivery>& items, std::int64_t id) {
  return static_cast<std::size_t>(std::count_if(
      items.begin(), items.end(), [&](const delivery& d) { return is_barrier(d, id); }));
}

/// The elements of `all` that are in [first, first + count), in order.
std::vector<std::int64_t> from_range(const std::vector<std::int64_t>& all, std::int64_t first,
                                     std::int64_t count) {
  std::vector<std::int64_t> out;
  for (auto v : all)
    if (v >= first && v < first + count)
      out.push_back(v);
  return out;
}

/// Checkpointing on (aligned, exactly once) into `dir`; the test triggers the checkpoints.
job_config checkpointing_config(const temp_dir& dir) {
  auto config = test_config(1, 256);
  config.checkpointing.interval_ms = 3600000;
  config.checkpointing.checkpoint_dir = dir.str();
  return config;
}

/// The job manager's part of checkpoint `id` before its trigger: the directory the subtasks
/// write their snapshots into.
void create_checkpoint_dir(const job_config& config, const std::string& job_name, std::int64_t id) {
  checkpoint_storage(config.checkpointing.checkpoint_dir, job_id_of(job_name)).create_pending(id);
}

/// With checkpointing on, a subtask that finished waits for the job manager: closes them all
/// once every subtask reported its input finished, then runs them to their end.
void close_all(stepped_job& job) {
  REQUIRE(job.inbox().input_finished.size() == static_cast<std::size_t>(job.subtasks()));
  for (int i = 0; i < job.subtasks(); ++i)
    job.send(i, close_subtask_atom::value);
  job.run();
}

/// 0, 1, ..., n - 1: every subtask of a stepped_job.
std::vector<int> all_subtasks(int n) {
  std::vector<int> out;
  for (int i = 0; i < n; ++i)
    out.push_back(i);
  return out;
}

/// The subtasks that sent `msgs`, sorted (one entry per message).
template <class Msgs> std::vector<int> senders(const Msgs& msgs) {
  std::vector<int> out;
  for (const auto& m : msgs)
    out.push_back(m.vertex);
  std::sort(out.begin(), out.end());
  return out;
}

/// Every subtask reported done once, none failed or declined a checkpoint.
void check_all_done(stepped_job& job) {
  const auto& inbox = job.inbox();
  CHECK(senders(inbox.done) == all_subtasks(job.subtasks()));
  CHECK(inbox.failed.empty());
  for (const auto& d : inbox.declines)
    FAIL_CHECK("subtask " << d.vertex << " declined checkpoint " << d.checkpoint_id << ": "
                          << d.reason);
}

/// Every subtask acknowledged checkpoint `id` exactly once (after its snapshot writer ended).
void check_acknowledged_once(stepped_job& job, std::int64_t id) {
  job.await_snapshot_writers();
  const auto& acks = job.inbox().acks;
  CHECK(senders(acks) == all_subtasks(job.subtasks()));
  for (const auto& ack : acks)
    CHECK(ack.checkpoint_id == id);
}

/// 5000 numbers from a source ("numbers") to a collecting sink ("collect") in batches of 256
/// bytes, not chained.
struct numbers_to_sink {
  std::vector<std::int64_t> values = numbers(0, 5000);
  job_config config = test_config(1, 256);
  collecting_sink<std::int64_t> sink;
  std::shared_ptr<const execution_plan> plan = source_to_sink(config, values, sink);
  int source = vertex_named(*plan, "numbers");
  int down = vertex_named(*plan, "collect");
};

} // namespace

TEST_CASE("subtask protocol: a source sends no more batches than its downstream granted, "
          "stops while the downstream takes nothing, resumes on its credit") {
  numbers_to_sink s;
  stepped_job job(s.plan, s.config, "credits");
  credit_watch watch(job, {{s.source, s.down}});

  job.start();
  REQUIRE(job.step(s.down)); // its start_msg: the exclusive credits go out
  job.run({s.down});         // the downstream takes nothing from here on
  const auto stalled = account(job, s.source, s.down);
  CHECK(stalled.credits == s.config.exclusive_credits);
  CHECK(stalled.sent == stalled.credits);                           // every credit used ...
  CHECK(job.queued_batches(s.source, s.down) == stalled.sent);      // ... none taken ...
  CHECK_FALSE(job.has_messages(s.source));                          // ... and the source waits
  CHECK(job.counters(s.source).records_in.get() < s.values.size()); // with records left to send

  REQUIRE(job.step(s.down)); // one batch taken: its credit goes back
  job.run({s.down});
  const auto resumed = account(job, s.source, s.down);
  CHECK(resumed.credits > stalled.credits);
  CHECK(resumed.sent == resumed.credits); // the source sent again, up to its new credit

  job.run(); // to the end
  CHECK(watch.violations() == 0);
  const auto items = channel_items(job, s.source, s.down);
  CHECK(records_in(items) == static_cast<std::int64_t>(s.values.size()));
  REQUIRE_FALSE(items.empty());
  CHECK(items.back().what == delivery::kind::event);
  CHECK(items.back().event == event_kind::end_of_input);
  CHECK(s.sink.results() == s.values); // every record once, in order
  check_all_done(job);
}

TEST_CASE("subtask protocol: a source's barrier reaches its downstream after every batch "
          "sent before the trigger and before every batch after it") {
  const auto values = numbers(0, 5000);
  temp_dir dir;
  const auto config = checkpointing_config(dir);
  collecting_sink<std::int64_t> sink;
  const auto plan = source_to_sink(config, values, sink);
  const int source = vertex_named(*plan, "numbers");
  const int down = vertex_named(*plan, "collect");
  const std::string job_name = "barrier order";
  stepped_job job(plan, config, job_name);
  credit_watch watch(job, {{source, down}});
  collected_at_barrier at_barrier(job, down, 1, sink);

  job.start();
  REQUIRE(job.step(down));
  job.run({down}); // the source's batches wait for credit behind the ones sent
  create_checkpoint_dir(config, job_name, 1);
  job.send(source, trigger_checkpoint_msg{1, 0, "", false, false});
  job.run({down}); // the source snapshots and queues the barrier
  const auto emitted_before = static_cast<std::int64_t>(job.counters(source).records_in.get());
  REQUIRE(emitted_before > 0);
  REQUIRE(emitted_before < static_cast<std::int64_t>(values.size()));

  job.run();
  close_all(job);
  CHECK(watch.violations() == 0);
  const auto items = channel_items(job, source, down);
  REQUIRE(barriers_in(items, 1) == 1);
  CHECK(records_before_barrier(items, 1) == emitted_before);
  CHECK(records_in(items) == static_cast<std::int64_t>(values.size()));
  CHECK(at_barrier.records() == numbers(0, emitted_before));
  CHECK(sink.results() == values);
  check_acknowledged_once(job, 1);
  check_all_done(job);
}

TEST_CASE("subtask protocol: aligned, a subtask takes nothing from the channel whose barrier "
          "came first until the other's came, then acknowledges once and forwards one barrier") {
  const std::int64_t count = 4000;
  const auto alpha_values = numbers(1000000, count);
  const auto beta_values = numbers(2000000, count);
  temp_dir dir;
  const auto config = checkpointing_config(dir);
  environment env(config);
  collecting_sink<std::int64_t> sink;
  env.from_source(collection_source<std::int64_t>{alpha_values}, "alpha")
      .union_with(env.from_source(collection_source<std::int64_t>{beta_values}, "beta"))
      .map([](const std::int64_t& v) { return v; }, "relay")
      .disable_chaining()
      .sink_to(sink, "collect");
  const auto plan = env.plan();
  REQUIRE(plan->vertices().size() == 4);
  const int alpha = vertex_named(*plan, "alpha");
  const int beta = vertex_named(*plan, "beta");
  const int relay = vertex_named(*plan, "relay");
  const int down = vertex_named(*plan, "collect");
  const std::string job_name = "alignment";
  stepped_job job(plan, config, job_name);
  credit_watch watch(job, {{alpha, relay}, {beta, relay}, {relay, down}});
  collected_at_barrier at_barrier(job, down, 1, sink); // the barrier the relay forwarded
  // The batches the relay took from `up` since barrier 1 arrived from alpha.
  const auto batches_after_alpha_barrier = [&](int up) {
    int n = 0;
    bool after = false;
    for (const auto& d : job.deliveries()) {
      if (d.to != relay)
        continue;
      after = after || (d.from == alpha && is_barrier(d, 1));
      n += after && d.from == up && d.what == delivery::kind::batch;
    }
    return n;
  };

  job.start();
  job.run({alpha, beta}); // the relay and the sink start: the sources get their credits
  job.run({relay});       // the sources send up to their credits and wait
  create_checkpoint_dir(config, job_name, 1);
  job.send(alpha, trigger_checkpoint_msg{1, 0, "", false, false});
  job.run({relay}); // alpha's barrier waits behind its batches
  // Alpha's barrier reaches the relay; alpha sends more after it, beta goes on sending.
  job.run({}, [&] {
    return batches_after_alpha_barrier(alpha) > 0 && batches_after_alpha_barrier(beta) > 0;
  });
  REQUIRE(batches_after_alpha_barrier(alpha) > 0);
  REQUIRE(job.counters(beta).records_in.get() < beta_values.size()); // beta has more to send
  job.send(beta, trigger_checkpoint_msg{1, 0, "", false, false});
  job.run();
  close_all(job);
  CHECK(watch.violations() == 0);

  const auto from_alpha = channel_items(job, alpha, relay);
  const auto from_beta = channel_items(job, beta, relay);
  REQUIRE(barriers_in(from_alpha, 1) == 1);
  REQUIRE(barriers_in(from_beta, 1) == 1);
  const auto to_sink = channel_items(job, relay, down);
  CHECK(barriers_in(to_sink, 1) == 1); // one barrier forwarded
  // Before the forwarded barrier: exactly what came before the barrier on each channel.
  const auto alpha_before = records_before_barrier(from_alpha, 1);
  const auto beta_before = records_before_barrier(from_beta, 1);
  auto expected_before = numbers(alpha_values.front(), alpha_before);
  const auto beta_part = numbers(beta_values.front(), beta_before);
  expected_before.insert(expected_before.end(), beta_part.begin(), beta_part.end());
  std::sort(expected_before.begin(), expected_before.end());
  auto collected_before = at_barrier.records();
  std::sort(collected_before.begin(), collected_before.end());
  CHECK(collected_before == expected_before);
  CHECK(records_before_barrier(to_sink, 1) == alpha_before + beta_before);
  // Every record once, in order per channel.
  const auto results = sink.results();
  CHECK(from_range(results, alpha_values.front(), count) == alpha_values);
  CHECK(from_range(results, beta_values.front(), count) == beta_values);
  CHECK(results.size() == alpha_values.size() + beta_values.size());
  check_acknowledged_once(job, 1);
  check_all_done(job);
}

TEST_CASE("subtask protocol: a credit of another wiring generation is dropped; a batch of one "
          "fails the subtask, naming the generation") {
  numbers_to_sink s;
  stepped_job job(s.plan, s.config, "generations"); // every subtask in generation 0

  job.start();
  REQUIRE(job.step(s.down));
  job.run({s.down}); // the source used its credits and waits
  const auto stalled = account(job, s.source, s.down);
  REQUIRE(stalled.sent == stalled.credits);
  REQUIRE_FALSE(job.has_messages(s.source));

  // A credit of another wiring (a rescale in place rewired the sender meanwhile) is dropped.
  job.send(s.source, credit_msg{wire_channel(1, 0), 4});
  job.run({s.down});
  CHECK(account(job, s.source, s.down).sent == stalled.sent);
  // The same credit in the subtask's generation lets two more batches go.
  job.send(s.source, credit_msg{wire_channel(0, 0), 2});
  job.run({s.down});
  CHECK(account(job, s.source, s.down).sent == stalled.sent + 2);

  job.send(s.down, batch_msg{wire_channel(1, 0), 0, 0, {}});
  job.run();
  const auto& failed = job.inbox().failed;
  REQUIRE(failed.size() == 1);
  CHECK(failed.front().vertex == s.down);
  CHECK(failed.front().error.find("batch of wiring generation 1 at a subtask of generation 0") !=
        std::string::npos);
}
