// Per-partition watermarks of a Kafka source: the source's records (with their partition as
// split and their Kafka timestamp) go through assign_timestamps_and_watermarks, whose output
// watermark must be the minimum over the partitions, not held back by an idle partition.

#include "connectors/kafka/mock_cluster.hpp"
#include "operators/operator_state_checkpoints.hpp"
#include "sluice/connectors/kafka/kafka_source.hpp"
#include "sluice/operators/time/timestamps_and_watermarks_operator.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace sluice;
using namespace sluice::kafka;
using namespace sluice::kafka::test;

namespace {

struct watermark_recorder final : collector<std::string> {
  void collect(std::string&&) override {}
  void emit_watermark(std::int64_t wm) override { watermarks.push_back(wm); }
  void emit_watermark_status(bool idle) override { statuses.push_back(idle); }
  using collector<std::string>::collect;
  std::vector<std::int64_t> watermarks;
  std::vector<bool> statuses;
};

/// The source's output fed to the timestamps operator, record by record.
struct into_operator final : collector<std::string> {
  explicit into_operator(timestamps_and_watermarks_operator<std::string>& o) : op(o) {}
  void collect(std::string&& v) override {
    ++count;
    op.collect(std::move(v));
  }
  void emit_watermark(std::int64_t) override {}
  using collector<std::string>::collect;
  timestamps_and_watermarks_operator<std::string>& op;
  std::size_t count = 0;
};

} // namespace

TEST_CASE("the watermark is the minimum over partitions, and an idle partition does not hold it") {
  mock_cluster c;
  c.create_topic("clicks", 2);
  sluice::test::temp_dir dir;
  sluice::test::operator_subtasks state(1, dir.str(), nullptr, "kafka");
  timestamp_slot time;
  split_slot split;
  auto ctx = state.context(0);
  ctx.element_time = &time;
  ctx.split = &split;
  ctx.watermark_interval_ms = 0;
  auto clock = std::make_shared<manual_clock>();
  timestamps_and_watermarks_operator<std::string> op(
      watermark_strategy<std::string>::for_monotonous_timestamps().with_idleness(
          std::chrono::milliseconds(100), clock));
  watermark_recorder out;
  op.open(ctx);
  op.set_output(out);
  auto src = kafka_source<std::string>{}
                 .set_bootstrap_servers(c.bootstrap_servers())
                 .set_topics({"clicks"})
                 .set_value_deserializer([](std::string_view v) { return std::string(v); });
  src.open(ctx);
  into_operator feed(op);
  // Writes records and polls until the source emitted them.
  auto deliver = [&](std::int32_t partition, std::vector<std::int64_t> stamps) {
    for (auto ts : stamps)
      c.produce("clicks", partition, "r", ts);
    const auto want = feed.count + stamps.size();
    for (int polls = 0; feed.count < want; ++polls) {
      if (polls > 20000)
        throw std::runtime_error("the source did not emit the records written");
      if (src.poll(feed, want - feed.count) == source_status::idle)
        std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  };
  deliver(0, {1000, 2000});
  CHECK(out.watermarks.empty()); // partition 1, assigned, has emitted nothing: it holds it back
  deliver(1, {500});             // partition 1 behind: min(1999, 499)
  CHECK(out.watermarks == std::vector<std::int64_t>{499});
  deliver(1, {3000}); // min(1999, 2999)
  CHECK(out.watermarks == std::vector<std::int64_t>{499, 1999});
  deliver(0, {2500}); // min(2499, 2999)
  CHECK(out.watermarks == std::vector<std::int64_t>{499, 1999, 2499});
  op.on_periodic_watermark(); // no record since: the idleness countdown starts (Flink's)
  clock->advance(150);        // beyond the timeout: both partitions idle
  op.on_periodic_watermark();
  CHECK(out.statuses == std::vector<bool>{true});
  deliver(0, {5000}); // partition 1 still idle: it does not hold partition 0 back
  CHECK(out.watermarks == std::vector<std::int64_t>{499, 1999, 2499, 4999});
  CHECK(out.statuses == std::vector<bool>{true, false});
  src.close();
}
