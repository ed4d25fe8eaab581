// Credit accounting of the input and output gates, without actors.

#include "sluice/actors/buffer_pool.hpp"
#include "sluice/actors/in_flight_data.hpp"
#include "sluice/actors/input_gate.hpp"
#include "sluice/actors/output_gate.hpp"
#include "sluice/state/serializer.hpp"

#include <doctest/doctest.h>

#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using namespace sluice;

namespace {

struct sent_item {
  int channel;
  bool is_event;
  std::uint32_t records;
  std::int32_t backlog;
  std::size_t size = 0;
  std::size_t capacity = 0;
};

class recording_transport final : public gate_transport {
public:
  void send_batch(int channel, std::vector<char>&& bytes, std::uint32_t records,
                  std::int32_t backlog) override {
    sent.push_back({channel, false, records, backlog, bytes.size(), bytes.capacity()});
    bytes_sent += bytes.size();
  }
  void send_event(int channel, event_kind, std::int64_t) override {
    sent.push_back({channel, true, 0, 0, 0, 0});
  }
  std::vector<sent_item> sent;
  std::size_t bytes_sent = 0;
};

/// Keeps the batches sent.
class keeping_transport final : public gate_transport {
public:
  void send_batch(int, std::vector<char>&& bytes, std::uint32_t, std::int32_t) override {
    batches.push_back(std::move(bytes));
  }
  void send_event(int, event_kind, std::int64_t) override {}
  std::vector<std::vector<char>> batches;
};

void write_record(channel_gate& edge, int ch, std::size_t bytes) {
  edge.writer(ch).write_bytes(std::string(bytes, 'x').data(), bytes);
  edge.record_written(ch);
}

} // namespace

TEST_CASE("output gate ships full batches only against credit, in order with events") {
  subtask_counters counters;
  recording_transport t;
  output_gate gate(2, 100, false, t, counters);
  auto& edge = gate.edge_view(0, 2);
  for (int i = 0; i < 5; ++i)
    write_record(edge, 0, 50); // a batch every 2 records
  CHECK(t.sent.empty());       // no credit yet
  CHECK_FALSE(gate.available());
  gate.emit_event(0, 1, event_kind::end_of_input, 0); // flushes the partial 5th record
  CHECK(t.sent.empty());
  gate.add_credit(0, 2);
  REQUIRE(t.sent.size() == 2);
  CHECK(t.sent[0].records == 2);
  CHECK(t.sent[0].backlog == 2); // two more batches were waiting behind it
  CHECK(t.sent[1].backlog == 1);
  CHECK_FALSE(gate.drained());
  gate.add_credit(0, 1);
  REQUIRE(t.sent.size() == 4);
  CHECK(t.sent[2].records == 1);
  CHECK(t.sent[3].is_event); // the event follows the last batch at once, without credit
  CHECK(gate.drained());
  CHECK(gate.available());
  CHECK(counters.records_out.get() == 5);
  CHECK(counters.batches_out.get() == 3);
}

TEST_CASE("output gate with flush on every record ships one record per batch") {
  buffer_pool::process().trim(); // every batch below is a new allocation (an eighth more room)
  subtask_counters counters;
  recording_transport t;
  output_gate gate(2, 1 << 15, true, t, counters);
  gate.set_batch_bytes(1, 1 << 19); // a receiver in another process: still every record
  auto& edge = gate.edge_view(0, 2);
  gate.add_credit(0, 10);
  gate.add_credit(1, 10);
  write_record(edge, 1, 8);
  REQUIRE(t.sent.size() == 1);
  CHECK(t.sent[0].channel == 1);
  t.sent.clear();
  for (int i = 0; i < 3; ++i)
    write_record(edge, 0, 8);
  REQUIRE(t.sent.size() == 3);
  for (const auto& s : t.sent) {
    CHECK(s.records == 1);
    CHECK(s.capacity == 64 + 64 / 8); // room for a record, not for a whole batch
  }
  for (int i = 0; i < 2; ++i)
    write_record(edge, 0, 100);
  REQUIRE(t.sent.size() == 5);
  CHECK(t.sent[3].capacity > 100); // grew
  CHECK(t.sent[4].capacity == 100 + 100 / 8); // then allocated for the largest record seen
}

TEST_CASE("output gate: a channel's own batch size (a receiver in another process)") {
  subtask_counters counters;
  recording_transport t;
  output_gate gate(2, 100, false, t, counters);
  gate.set_batch_bytes(1, 200);
  auto& edge = gate.edge_view(0, 2);
  gate.add_credit(0, 10);
  gate.add_credit(1, 10);
  for (int i = 0; i < 4; ++i) {
    write_record(edge, 0, 50);
    write_record(edge, 1, 50);
  }
  REQUIRE(t.sent.size() == 3); // channel 0: 2 batches of 2 records; channel 1: 1 of 4
  CHECK(t.sent[0].channel == 0);
  CHECK(t.sent[0].records == 2);
  CHECK(t.sent[1].channel == 0);
  CHECK(t.sent[2].channel == 1);
  CHECK(t.sent[2].records == 4);
  CHECK(t.sent[2].size == 200);
  write_record(edge, 1, 50);
  CHECK_THROWS_AS(gate.set_batch_bytes(1, 300), std::logic_error); // holds a record
  gate.flush_all(); // the buffer timeout ships its partial batch as on any channel
  REQUIRE(t.sent.size() == 4);
  CHECK(t.sent[3].channel == 1);
  CHECK(t.sent[3].records == 1);
}

TEST_CASE("output gate: the record that fills a batch fits without reallocating, once seen") {
  buffer_pool::process().trim(); // every batch below is a new allocation
  subtask_counters counters;
  recording_transport t;
  output_gate gate(1, 1000, false, t, counters);
  auto& edge = gate.edge_view(0, 1);
  gate.add_credit(0, 10);
  for (int i = 0; i < 4; ++i)
    write_record(edge, 0, 700); // 1400 bytes fill a batch: 400 past the batch size
  REQUIRE(t.sent.size() == 2);
  CHECK(t.sent[0].size == 1400);
  CHECK(t.sent[0].capacity > 1400); // the first batch grew (1000 + 64 bytes were asked for)
  CHECK(t.sent[1].size == 1400);
  // then 1000 + 400 were asked for (with the pool's eighth more for a new buffer), once
  CHECK(t.sent[1].capacity == 1400 + 1400 / 8);
  // Buffer timeout and events still ship partial batches.
  write_record(edge, 0, 700);
  gate.flush_all();
  REQUIRE(t.sent.size() == 3);
  CHECK(t.sent[2].size == 700);
  CHECK(t.sent[2].capacity == 1400 + 1400 / 8);
}

TEST_CASE("output gate: a batch given back to the buffer pool holds a later batch") {
  buffer_pool::process().trim();
  subtask_counters counters;
  keeping_transport t;
  output_gate gate(1, 1000, false, t, counters);
  auto& edge = gate.edge_view(0, 1);
  gate.add_credit(0, 10);
  auto write = [&](std::int64_t v) {
    serializer<std::int64_t>::write(edge.writer(0), v);
    edge.record_written(0);
  };
  for (std::int64_t v = 0; v < 200; ++v) // 8-byte records: batches of 125
    write(v);
  REQUIRE(t.batches.size() == 1); // the next batch was opened when the first left
  const char* first = t.batches[0].data();
  buffer_pool::process().give(std::move(t.batches[0])); // as the receiver does once it is read
  for (std::int64_t v = 200; v < 300; ++v)
    write(v); // the second batch leaves at 250, the third opens in the first's memory
  gate.flush_all();
  REQUIRE(t.batches.size() == 3);
  CHECK(t.batches[1].data() != first);
  CHECK(t.batches[2].data() == first);
  REQUIRE(t.batches[2].size() == 50 * sizeof(std::int64_t)); // no bytes of the first batch
  byte_reader in(t.batches[2]);
  for (std::int64_t v = 250; v < 300; ++v) {
    std::int64_t got = -1;
    serializer<std::int64_t>::read(in, got);
    CHECK(got == v);
  }
  CHECK(buffer_pool::process().kept_bytes() == 0);
}

TEST_CASE("input gate grants exclusive credits and regrants them as batches are taken") {
  subtask_counters counters;
  std::map<int, int> granted;
  input_gate gate(2, 2, 0, [&](int ch, int n) { granted[ch] += n; }, counters);
  gate.start();
  CHECK(granted.empty()); // held until sent
  gate.send_grants();
  CHECK(granted == std::map<int, int>{{0, 2}, {1, 2}});
  gate.on_batch(0, std::vector<char>(10), 1, 0);
  gate.on_batch(0, std::vector<char>(10), 1, 0);
  CHECK_THROWS_AS(gate.on_batch(0, std::vector<char>(10), 1, 0), protocol_error);
  CHECK(gate.outstanding(0) == 0);
  auto item = gate.next();
  CHECK(item.channel == 0);
  gate.send_grants();
  CHECK(granted[0] == 3);
  CHECK(gate.outstanding(0) == 1);
  CHECK(counters.max_in_flight.get() == 2);
  CHECK(counters.max_credits.get() == 2);
}

TEST_CASE("floating credits go to channels with a backlog and return to the pool") {
  subtask_counters counters;
  std::map<int, int> granted;
  input_gate gate(2, 1, 3, [&](int ch, int n) { granted[ch] += n; }, counters);
  gate.start();
  // Channel 1's sender has 5 batches waiting: the gate hands it all 3 floating credits.
  gate.on_batch(1, std::vector<char>(4), 1, 5);
  gate.send_grants();
  CHECK(granted[1] == 1 + 3);
  CHECK(gate.outstanding(1) == 3);
  CHECK(granted[0] == 1);
  gate.on_batch(1, std::vector<char>(4), 1, 0);
  gate.on_batch(1, std::vector<char>(4), 1, 0);
  gate.on_batch(1, std::vector<char>(4), 1, 0);
  // No backlog left: taking the batches returns the floating credits to the pool (no regrant
  // beyond the exclusive one).
  for (int i = 0; i < 4; ++i)
    gate.next();
  CHECK(gate.outstanding(1) == 1);
  // Now channel 0 announces a backlog and receives the pooled credits.
  gate.on_batch(0, std::vector<char>(4), 1, 4);
  CHECK(gate.outstanding(0) == 3);
  CHECK(counters.max_credits.get() == 4);
}

TEST_CASE("input gate takes channels round robin and tracks end of input") {
  subtask_counters counters;
  input_gate gate(3, 2, 0, [](int, int) {}, counters);
  gate.start();
  gate.on_batch(0, std::vector<char>(1), 1, 0);
  gate.on_batch(0, std::vector<char>(1), 1, 0);
  gate.on_batch(2, std::vector<char>(1), 1, 0);
  gate.on_event(1, event_kind::end_of_input, 0);
  std::vector<int> order;
  while (gate.has_input())
    order.push_back(gate.next().channel);
  CHECK(order == std::vector<int>{0, 1, 2, 0});
  CHECK_FALSE(gate.all_ended());
  gate.on_event(0, event_kind::end_of_input, 0);
  gate.on_event(2, event_kind::end_of_input, 0);
  while (gate.has_input())
    gate.next();
  CHECK(gate.all_ended());
}

TEST_CASE("input gate skips blocked channels, holds their credits, and drains them first") {
  subtask_counters counters;
  std::map<int, int> granted;
  input_gate gate(2, 2, 0, [&](int ch, int n) { granted[ch] += n; }, counters);
  gate.start();
  gate.on_event(0, event_kind::barrier, 1);
  gate.on_batch(0, std::vector<char>(1), 1, 0);
  gate.on_batch(0, std::vector<char>(1), 1, 0);
  gate.on_batch(1, std::vector<char>(1), 1, 0);
  auto barrier = gate.next();
  CHECK(barrier.is_event);
  CHECK(barrier.channel == 0);
  gate.block(0);
  CHECK(gate.is_blocked(0));
  CHECK(gate.next().channel == 1);
  CHECK_FALSE(gate.has_input()); // channel 0's batches wait
  gate.send_grants();
  CHECK(granted[0] == 2);        // and keep their credits
  gate.on_batch(1, std::vector<char>(1), 1, 0);
  gate.on_batch(1, std::vector<char>(1), 1, 0);
  gate.unblock_all();
  std::vector<int> order;
  while (gate.has_input())
    order.push_back(gate.next().channel);
  CHECK(order == std::vector<int>{0, 0, 1, 1});
  gate.send_grants();
  CHECK(granted[0] == 4);
}

TEST_CASE("credits granted between two sends travel as one grant per channel") {
  subtask_counters counters;
  std::vector<std::pair<int, int>> grants;
  input_gate gate(2, 1, 1, [&](int ch, int n) { grants.emplace_back(ch, n); }, counters);
  gate.start();
  gate.send_grants();
  CHECK(grants == std::vector<std::pair<int, int>>{{0, 1}, {1, 1}});
  grants.clear();
  // A batch arrives announcing 3 more waiting (the floating credit goes to its channel), and is
  // taken at once (its credit returns, the backlog being larger): one grant of 2, not two of 1.
  gate.on_batch(0, std::vector<char>(4), 1, 3);
  gate.next();
  CHECK(gate.outstanding(0) == 2);
  gate.send_grants();
  CHECK(grants == std::vector<std::pair<int, int>>{{0, 2}});
  gate.send_grants(); // nothing new: nothing sent
  CHECK(grants.size() == 1);
}

TEST_CASE("in-flight data of unaligned checkpoints round-trips and refuses truncation") {
  std::string blob;
  append_in_flight(blob, 2, 3, "abc", 3);
  append_in_flight(blob, 0, 1, "", 0);
  auto batches = read_in_flight(blob, 3, "input");
  REQUIRE(batches.size() == 2);
  CHECK(batches[0].channel == 2);
  CHECK(batches[0].records == 3);
  CHECK(std::string(batches[0].bytes.begin(), batches[0].bytes.end()) == "abc");
  CHECK(batches[1].channel == 0);
  CHECK(batches[1].bytes.empty());
  CHECK_THROWS_AS(read_in_flight(blob.substr(0, blob.size() - 20), 3, "input"),
                  std::runtime_error);
  // A batch of a channel the subtask does not have (another downstream parallelism, a
  // corrupt blob) is refused, naming it, instead of being queued out of bounds.
  CHECK_THROWS_WITH(read_in_flight(blob, 2, "output"),
                    "in-flight data of a checkpoint holds a batch of output channel 2, but the "
                    "subtask has 2 output channels");
}

TEST_CASE("input gate skips held channels unless a channel is blocked; no floating credits") {
  subtask_counters counters;
  std::map<int, int> granted;
  input_gate gate(2, 1, 2, [&](int ch, int n) { granted[ch] += n; }, counters);
  gate.start();
  gate.hold(0);
  CHECK(gate.is_held(0));
  // Channel 0's sender announces a backlog: a held channel gets no floating credit.
  gate.on_batch(0, std::vector<char>(1), 1, 4);
  CHECK(gate.outstanding(0) == 0);
  CHECK_FALSE(gate.has_input());
  gate.on_batch(1, std::vector<char>(1), 1, 0);
  CHECK(gate.next().channel == 1);
  CHECK_FALSE(gate.has_input());
  // A barrier blocks channel 1: channel 0 is taken although held, so its barrier can arrive.
  gate.block(1);
  REQUIRE(gate.has_input());
  CHECK(gate.next().channel == 0);
  gate.unblock_all();
  gate.on_batch(0, std::vector<char>(1), 1, 4);
  CHECK_FALSE(gate.has_input());
  // Released: taken again, and the floating credits go to its backlog.
  gate.release(0);
  CHECK_FALSE(gate.is_held(0));
  CHECK(gate.outstanding(0) == 2);
  REQUIRE(gate.has_input());
  CHECK(gate.next().channel == 0);
}
