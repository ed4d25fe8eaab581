// The checkpoint side of a subtask, step by step and without actors or threads: barriers and
// batches fed per input channel, time passed in, what the checkpointer blocks, snapshots,
// captures and acknowledges checked after each step.

#include "sluice/actors/channel_layout.hpp"
#include "sluice/actors/in_flight_data.hpp"
#include "sluice/actors/input_gate.hpp"
#include "sluice/actors/operator_chain.hpp"
#include "sluice/actors/output_gate.hpp"
#include "sluice/actors/subtask_checkpointer.hpp"

#include "../temp_dir.hpp"
#include "job_test_util.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

using namespace sluice;

namespace {

constexpr int channels = 3; ///< the relay's input channels (three upstream subtasks)

/// A checkpoint configuration writing under `dir`.
checkpoint_config checkpointing(const std::filesystem::path& dir, checkpointing_mode mode,
                                bool unaligned, std::int64_t aligned_timeout_ms) {
  checkpoint_config c;
  c.interval_ms = 1000;
  c.checkpoint_dir = dir.string();
  c.mode = mode;
  c.unaligned = unaligned;
  c.aligned_timeout_ms = aligned_timeout_ms;
  return c;
}

/// One relay subtask of source (3) -> rebalance -> relay (3) -> sink, played by the test: it
/// feeds the input gate and the checkpointer, takes the input like the subtask actor does, and
/// records what the checkpointer asks of the actor and what the output gate sends.
class subtask_stand_in final : private gate_transport,
                               private processing_time_service,
                               private checkpoint_effects {
public:
  explicit subtask_stand_in(const checkpoint_config& checkpoints)
      : config_(config_with(checkpoints)), plan_(plan_of(config_)),
        layout_(channel_layout::of(*plan_, relay_vertex, 0)),
        output_(static_cast<int>(layout_.outputs.size()), config_.batch_bytes, false, *this,
                counters_),
        input_(static_cast<int>(layout_.inputs.size()), config_.exclusive_credits,
               config_.floating_credits, [](int, int) {}, counters_),
        chain_(*plan_, relay_vertex, 0, "checkpointer test", output_, layout_, *this, config_,
               nullptr),
        checkpointer_(input_, output_, chain_, config_.checkpointing, "checkpointer-test",
                      *this) {
    REQUIRE(input_.channel_count() == channels);
    chain_.open();
    input_.start();
  }

  subtask_checkpointer& checkpointer() { return checkpointer_; }

  /// Batch `payload` (one record) arrives on channel `ch`.
  void batch(int ch, const std::string& payload) {
    std::vector<char> bytes(payload.begin(), payload.end());
    checkpointer_.on_batch_arrived(ch, bytes, 1);
    input_.on_batch(ch, std::move(bytes), 1, 0);
  }
  /// Barrier `id` arrives on channel `ch` at `now_ms`.
  void barrier(int ch, std::int64_t id, std::int64_t now_ms) {
    checkpointer_.on_barrier_arrived(ch, id, now_ms);
  }
  /// Takes every item the gate lets through at `now_ms`, as the subtask actor does; the
  /// payloads of the batches go to `processed`.
  void take_input(std::int64_t now_ms) {
    while (input_.has_input()) {
      auto item = input_.next();
      if (!item.is_event)
        processed.emplace_back(item.bytes.begin(), item.bytes.end());
      else if (item.kind == event_kind::barrier)
        checkpointer_.on_barrier_taken(item.channel, item.value, now_ms);
      else if (item.kind == event_kind::end_of_input)
        checkpointer_.on_end_of_partition(item.channel, now_ms);
    }
  }
  std::vector<int> blocked() const {
    std::vector<int> out;
    for (int ch = 0; ch < channels; ++ch)
      if (input_.is_blocked(ch))
        out.push_back(ch);
    return out;
  }
  /// The acknowledged checkpoints, in order.
  std::vector<std::int64_t> acknowledged() const {
    std::vector<std::int64_t> out;
    for (const auto& a : acks)
      out.push_back(a.checkpoint_id);
    return out;
  }

  std::vector<std::string> processed;
  std::vector<snapshot_ack> acks;
  std::vector<std::pair<std::int64_t, std::string>> declines;
  std::vector<std::pair<std::int64_t, std::int64_t>> timers; ///< (checkpoint, delay ms)
  std::vector<std::int64_t> barriers_sent;                   ///< on the output channel
  /// For each barrier sent (right after its snapshot): how many batches were processed before.
  std::vector<std::size_t> processed_at_barrier;

private:
  static constexpr int relay_vertex = 1;

  static job_config config_with(const checkpoint_config& checkpoints) {
    auto c = test::test_config(channels);
    c.checkpointing = checkpoints;
    return c;
  }
  static std::shared_ptr<const execution_plan> plan_of(const job_config& config) {
    environment env(config);
    collecting_sink<std::int64_t> sink;
    env.from_source(sequence_source{1, 3}, "numbers")
        .rebalance()
        .map([](const std::int64_t& v) { return v; }, "relay")
        .disable_chaining()
        .sink_to(sink);
    auto plan = env.plan();
    REQUIRE(plan->vertices().at(relay_vertex).name.find("relay") != std::string::npos);
    return plan;
  }

  void send_batch(int, std::vector<char>&&, std::uint32_t, std::int32_t) override {}
  void send_event(int, event_kind kind, std::int64_t value) override {
    if (kind != event_kind::barrier)
      return;
    barriers_sent.push_back(value);
    processed_at_barrier.push_back(processed.size());
  }
  std::int64_t now_ms() const override { return 0; }
  void wake_at(std::int64_t) override {}
  void acknowledge(snapshot_ack ack) override { acks.push_back(std::move(ack)); }
  void decline(std::int64_t id, const std::string& reason) override {
    declines.emplace_back(id, reason);
  }
  void arm_alignment_timeout(std::int64_t id, std::int64_t delay_ms) override {
    timers.emplace_back(id, delay_ms);
  }

  job_config config_;
  std::shared_ptr<const execution_plan> plan_;
  channel_layout layout_;
  subtask_counters counters_;
  output_gate output_;
  input_gate input_;
  operator_chain chain_;
  subtask_checkpointer checkpointer_;
};

/// The (channel, payload) pairs of an in-flight blob.
std::vector<std::pair<int, std::string>> batches_in(const std::string& blob) {
  std::vector<std::pair<int, std::string>> out;
  for (const auto& b : read_in_flight(blob, channels, "input"))
    out.emplace_back(b.channel, std::string(b.bytes.begin(), b.bytes.end()));
  return out;
}

using strings = std::vector<std::string>;
using ids = std::vector<std::int64_t>;
using channel_list = std::vector<int>;
using captured = std::vector<std::pair<int, std::string>>;

} // namespace

TEST_CASE("subtask_checkpointer: aligned exactly-once blocks each channel at its barrier") {
  test::temp_dir dir;
  subtask_stand_in s(checkpointing(dir.path(), checkpointing_mode::exactly_once, false, 0));
  CHECK(s.checkpointer().mode() == subtask_checkpointer::barrier_mode::aligned);
  CHECK_FALSE(s.checkpointer().paces_input());

  s.batch(0, "a1");
  s.barrier(0, 1, 100);
  s.batch(0, "a2"); // after the barrier: waits for the snapshot
  s.batch(1, "b1");
  s.take_input(100);
  CHECK(s.processed == strings{"a1", "b1"});
  CHECK(s.blocked() == channel_list{0});

  s.barrier(1, 1, 130);
  s.batch(2, "c1");
  s.take_input(130);
  CHECK(s.processed == strings{"a1", "b1", "c1"});
  CHECK(s.blocked() == channel_list{0, 1});
  CHECK(s.acks.empty());

  s.barrier(2, 1, 150);
  s.take_input(150);
  CHECK(s.blocked().empty());
  REQUIRE(s.acknowledged() == ids{1});
  CHECK(s.acks[0].alignment_ms == 50);
  CHECK(s.acks[0].first_barrier_ms == 100);
  CHECK(s.acks[0].in_flight.empty());
  CHECK(s.acks[0].in_flight_output.empty());
  CHECK(s.barriers_sent == ids{1});
  CHECK(s.processed_at_barrier == std::vector<std::size_t>{3}); // a1, b1, c1
  // The input held back follows the snapshot.
  CHECK(s.processed == strings{"a1", "b1", "c1", "a2"});
  CHECK(s.timers.empty());
  CHECK(s.declines.empty());
}

TEST_CASE("subtask_checkpointer: at-least-once blocks nothing and snapshots at the last barrier") {
  test::temp_dir dir;
  subtask_stand_in s(checkpointing(dir.path(), checkpointing_mode::at_least_once, false, 0));

  s.barrier(0, 1, 10);
  s.take_input(10);
  s.batch(0, "a1");
  s.barrier(1, 1, 20);
  s.batch(1, "b1");
  s.take_input(20);
  CHECK(s.blocked().empty());
  CHECK(s.processed == strings{"a1", "b1"}); // input after a barrier is not held back
  CHECK(s.acks.empty());

  s.barrier(2, 1, 35);
  s.take_input(35);
  REQUIRE(s.acknowledged() == ids{1});
  CHECK(s.acks[0].alignment_ms == 25);
  CHECK(s.acks[0].in_flight.empty());
  CHECK(s.barriers_sent == ids{1});
}

TEST_CASE("subtask_checkpointer: unaligned snapshots at the first barrier and captures the "
          "input before the others") {
  test::temp_dir dir;
  subtask_stand_in s(checkpointing(dir.path(), checkpointing_mode::exactly_once, true, 0));
  CHECK(s.checkpointer().mode() == subtask_checkpointer::barrier_mode::unaligned);
  CHECK(s.checkpointer().paces_input());

  // Queued before the first barrier, not yet processed: captured at the snapshot (a1 too: the
  // barrier overtakes it on its own channel).
  s.batch(1, "b1");
  s.batch(2, "c1");
  s.batch(0, "a1");
  s.barrier(0, 7, 200);
  CHECK(s.barriers_sent == ids{7});
  CHECK(s.processed_at_barrier == std::vector<std::size_t>{0});
  CHECK(s.acks.empty()); // not until the other channels' barriers are in
  CHECK(s.blocked().empty());

  s.batch(1, "b2"); // arrives before channel 1's barrier: captured
  s.barrier(1, 7, 210);
  s.batch(1, "b3"); // after channel 1's barrier: not captured
  s.batch(2, "c2");
  CHECK(s.acks.empty());

  s.barrier(2, 7, 220);
  REQUIRE(s.acknowledged() == ids{7});
  CHECK(s.acks[0].alignment_ms == 0);
  CHECK(s.acks[0].first_barrier_ms == 200);
  CHECK(batches_in(s.acks[0].in_flight) ==
        captured{{0, "a1"}, {1, "b1"}, {2, "c1"}, {1, "b2"}, {2, "c2"}});
  CHECK(s.acks[0].in_flight_output.empty());

  // The input was never held back: everything is processed, in arrival order per channel.
  s.take_input(220);
  CHECK(s.processed == strings{"a1", "b1", "c1", "b2", "c2", "b3"});
  CHECK(s.barriers_sent == ids{7});
}

TEST_CASE("subtask_checkpointer: the aligned timeout switches a checkpoint to unaligned "
          "mid-alignment") {
  test::temp_dir dir;
  subtask_stand_in s(checkpointing(dir.path(), checkpointing_mode::exactly_once, true, 50));
  CHECK(s.checkpointer().mode() == subtask_checkpointer::barrier_mode::aligned_first);

  s.batch(0, "a1");
  s.barrier(0, 3, 1000); // queued behind a1; the alignment clock starts
  REQUIRE(s.timers.size() == 1);
  CHECK(s.timers[0].first == 3);
  CHECK(s.timers[0].second == 51); // switches at more than 50 ms after the first barrier
  s.batch(0, "a2");
  s.batch(1, "b1");
  s.take_input(1010);
  CHECK(s.processed == strings{"a1", "b1"});
  CHECK(s.blocked() == channel_list{0}); // aligned so far
  CHECK(s.acks.empty());

  s.batch(1, "b2");
  s.batch(2, "c1");
  s.barrier(2, 3, 1020); // queued behind c1
  CHECK(s.timers.size() == 1);

  s.checkpointer().on_alignment_timeout(3, 1051);
  // Unaligned now: snapshot taken, barrier sent, blocked input resumed; the queued input of
  // the channels whose barrier is not taken is in-flight data, and channel 2's queued barrier
  // overtakes c1.
  CHECK(s.blocked().empty());
  CHECK(s.barriers_sent == ids{3});
  CHECK(s.processed_at_barrier == std::vector<std::size_t>{2}); // a1, b1
  CHECK(s.acks.empty());
  s.batch(1, "b3"); // channel 1's barrier is still out: captured

  s.barrier(1, 3, 1060); // overtakes on arrival
  REQUIRE(s.acknowledged() == ids{3});
  CHECK(s.acks[0].alignment_ms == 51);
  CHECK(s.acks[0].first_barrier_ms == 1000);
  CHECK(batches_in(s.acks[0].in_flight) == captured{{1, "b2"}, {2, "c1"}, {1, "b3"}});

  s.take_input(1060);
  CHECK(s.processed == strings{"a1", "b1", "a2", "b2", "c1", "b3"});
  CHECK(s.declines.empty());
}

TEST_CASE("subtask_checkpointer: barrier N+1 before N completes aborts N and declines it") {
  test::temp_dir dir;
  subtask_stand_in s(checkpointing(dir.path(), checkpointing_mode::exactly_once, false, 0));

  s.barrier(0, 1, 10);
  s.barrier(1, 1, 11);
  s.take_input(11);
  CHECK(s.blocked() == channel_list{0, 1});

  s.barrier(2, 2, 20); // channel 2 skipped barrier 1 (its sender took checkpoint 2 first)
  s.take_input(20);
  REQUIRE(s.declines.size() == 1);
  CHECK(s.declines[0].first == 1);
  CHECK(s.declines[0].second == "a barrier of a newer checkpoint arrived");
  CHECK(s.blocked() == channel_list{2}); // aligning checkpoint 2 now
  CHECK(s.acks.empty());

  s.barrier(0, 2, 30);
  s.barrier(1, 2, 31);
  s.take_input(31);
  CHECK(s.acknowledged() == ids{2});
  CHECK(s.acks[0].alignment_ms == 11);
  CHECK(s.barriers_sent == ids{2});
  CHECK(s.blocked().empty());
}

TEST_CASE("subtask_checkpointer: an abort during alignment unblocks and ignores its late "
          "barriers") {
  test::temp_dir dir;
  subtask_stand_in s(checkpointing(dir.path(), checkpointing_mode::exactly_once, false, 0));

  s.barrier(0, 4, 10);
  s.batch(0, "a1");
  s.batch(1, "b1");
  s.take_input(10);
  CHECK(s.blocked() == channel_list{0});
  CHECK(s.processed == strings{"b1"});

  CHECK_FALSE(s.checkpointer().on_checkpoint_ended(4, false, 15));
  CHECK(s.blocked().empty());
  s.take_input(15);
  CHECK(s.processed == strings{"b1", "a1"});

  s.barrier(1, 4, 20); // late barriers of the aborted checkpoint change nothing
  s.barrier(2, 4, 21);
  s.take_input(21);
  CHECK(s.blocked().empty());
  CHECK(s.acks.empty());
  CHECK(s.barriers_sent.empty());
  CHECK(s.declines.empty()); // the coordinator aborted it: nothing to decline

  // The next checkpoint aligns as usual.
  s.barrier(0, 5, 30);
  s.barrier(1, 5, 31);
  s.barrier(2, 5, 32);
  s.take_input(32);
  CHECK(s.acknowledged() == ids{5});
  CHECK(s.barriers_sent == ids{5});
}

TEST_CASE("subtask_checkpointer: a finished subtask snapshots a stopping savepoint on its "
          "trigger and emits again once it is aborted") {
  test::temp_dir dir;
  subtask_stand_in s(checkpointing(dir.path(), checkpointing_mode::exactly_once, false, 0));
  checkpoint_trigger savepoint;
  savepoint.checkpoint_id = 9;
  savepoint.timestamp_ms = 100;
  savepoint.target_dir = dir.path() / "savepoint-9";
  savepoint.stop = true;

  s.checkpointer().on_trigger(savepoint, false, 130); // input not finished: barriers bring it
  CHECK(s.acks.empty());

  s.checkpointer().on_trigger(savepoint, true, 130);
  REQUIRE(s.acknowledged() == ids{9});
  CHECK(s.acks[0].start_delay_ms == 30);
  CHECK(s.barriers_sent.empty()); // aligned: nothing follows the end of input
  CHECK(s.checkpointer().state() == subtask_checkpointer::emission::stopped_for_savepoint);

  s.checkpointer().on_trigger(savepoint, true, 140); // taken already
  CHECK(s.acknowledged() == ids{9});

  CHECK(s.checkpointer().on_checkpoint_ended(9, false, 150));
  CHECK(s.checkpointer().state() == subtask_checkpointer::emission::running);
}
