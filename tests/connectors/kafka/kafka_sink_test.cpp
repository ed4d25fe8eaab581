// kafka_sink against an in-process mock cluster: what each delivery guarantee has written when a
// checkpoint returns, Kafka's key-hash partitioning, the transaction protocol of exactly-once
// across a failure and a restore, the configuration check, and broker errors.

#include "connectors/kafka/mock_cluster.hpp"
#include "operators/operator_state_checkpoints.hpp"
#include "sluice/connectors/kafka/kafka_sink.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

using namespace sluice;
using namespace sluice::kafka;
using namespace sluice::kafka::test;

namespace {

using keyed = std::pair<std::string, std::string>;

kafka_sink<keyed> keyed_sink(const mock_cluster& c, const std::string& topic,
                             delivery_guarantee d) {
  return kafka_sink<keyed>{}
      .set_bootstrap_servers(c.bootstrap_servers())
      .set_topic(topic)
      .set_delivery(d)
      .set_serializer([](const keyed& r) {
        kafka_message m;
        m.key = r.first;
        m.value = r.second;
        return m;
      });
}

/// Kafka's partitioner (Java's Utils.murmur2, then toPositive % partitions), written out here.
int kafka_partition(const std::string& key, int partitions) {
  const std::uint32_t m = 0x5bd1e995;
  const auto length = static_cast<std::uint32_t>(key.size());
  std::uint32_t h = 0x9747b28c ^ length;
  auto byte = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(key[i])); };
  for (std::size_t i = 0; i + 4 <= key.size(); i += 4) {
    std::uint32_t k = byte(i) | byte(i + 1) << 8 | byte(i + 2) << 16 | byte(i + 3) << 24;
    k *= m;
    k ^= k >> 24;
    k *= m;
    h *= m;
    h ^= k;
  }
  const std::size_t tail = key.size() & ~std::size_t{3};
  switch (key.size() % 4) {
  case 3: h ^= byte(tail + 2) << 16; [[fallthrough]];
  case 2: h ^= byte(tail + 1) << 8; [[fallthrough]];
  case 1: h ^= byte(tail); h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<int>((h & 0x7fffffff) % static_cast<std::uint32_t>(partitions));
}

std::vector<keyed> records(int n) {
  std::vector<keyed> out;
  for (int i = 0; i < n; ++i)
    out.push_back({"key-" + std::to_string(i % 13), "value-" + std::to_string(i)});
  return out;
}

std::int64_t total_end_offsets(mock_cluster& c, const std::string& topic, int partitions) {
  std::int64_t sum = 0;
  for (int p = 0; p < partitions; ++p)
    sum += c.end_offset(topic, p);
  return sum;
}

struct sink_subtask {
  sink_subtask(const std::string& dir, const std::vector<operator_state_handle>* restore = nullptr,
               int parallelism = 1)
      : state(parallelism, dir, restore, "kafka sink") {}
  runtime_context context(int i = 0) {
    auto ctx = state.context(i);
    ctx.checkpointing = true;
    return ctx;
  }
  sluice::test::operator_subtasks state;
};

} // namespace

TEST_CASE("at-least-once: a checkpoint returns once every record before it is acknowledged") {
  mock_cluster c;
  c.create_topic("alo", 3);
  sluice::test::temp_dir dir;
  sink_subtask st(dir.str());
  auto sink = keyed_sink(c, "alo", delivery_guarantee::at_least_once)
                  .set_property("linger.ms", "50");
  auto s = sink.clone();
  s->open(st.context());
  const auto input = records(200);
  for (const auto& r : input)
    s->write(r);
  s->snapshot_state(1);
  CHECK(total_end_offsets(c, "alo", 3) == 200);
  s->close();
  auto got = read_topic(c.bootstrap_servers(), "alo", 3);
  std::vector<keyed> values;
  for (const auto& r : got) {
    CHECK(r.partition == kafka_partition(r.key, 3)); // Kafka's key hash
    values.push_back({r.key, r.value});
  }
  auto expected = input;
  std::sort(expected.begin(), expected.end());
  std::sort(values.begin(), values.end());
  CHECK(values == expected);
}

TEST_CASE("delivery none writes everything by the end of input, and a partitioner places records") {
  mock_cluster c;
  c.create_topic("plain", 4);
  sluice::test::temp_dir dir;
  sink_subtask st(dir.str());
  auto s = keyed_sink(c, "plain", delivery_guarantee::none)
               .set_partitioner([](const kafka_message& m, std::int32_t partitions) {
                 return static_cast<std::int32_t>(m.value.size() % partitions);
               })
               .clone();
  s->open(st.context());
  const auto input = records(50);
  for (const auto& r : input)
    s->write(r);
  s->finish();
  s->close();
  auto got = read_topic(c.bootstrap_servers(), "plain", 4);
  std::vector<keyed> values;
  for (const auto& r : got) {
    CHECK(r.partition == static_cast<std::int32_t>(r.value.size() % 4));
    values.push_back({r.key, r.value});
  }
  auto expected = input;
  std::sort(expected.begin(), expected.end());
  std::sort(values.begin(), values.end());
  CHECK(values == expected);
}

TEST_CASE("exactly-once: transactions begin, pre-commit, commit, abort and fence in order") {
  mock_cluster c;
  c.create_topic("eo", 2);
  sluice::test::temp_dir dir;
  std::vector<std::string> steps;
  auto proto = keyed_sink(c, "eo", delivery_guarantee::exactly_once)
                   .set_transactional_id_prefix("job")
                   .set_transaction_listener([&](std::string_view step, const std::string& id) {
                     steps.push_back(std::string(step) + " " + id);
                   });
  std::vector<operator_state_handle> second;
  auto first_attempt = proto.clone();
  {
    sink_subtask st(dir / "a");
    first_attempt->open(st.context());
    first_attempt->write(keyed{"k", "a"});
    first_attempt->snapshot_state(1);
    st.state.snapshot(0, 1);
    first_attempt->notify_checkpoint_complete(1);
    first_attempt->write(keyed{"k", "b"});
    first_attempt->snapshot_state(2);
    second = {st.state.snapshot(0, 2)};
    first_attempt->write(keyed{"k", "c"}); // then the attempt fails: 2 never completes
  }
  CHECK(steps == std::vector<std::string>{"begin job-0-1", "pre-commit job-0-1", "begin job-0-2",
                                          "commit job-0-1", "pre-commit job-0-2",
                                          "begin job-0-3"});
  steps.clear();
  sink_subtask restored(dir / "b", &second);
  auto s = proto.clone();
  s->open(restored.context());
  CHECK(steps == std::vector<std::string>{"commit job-0-2", "abort job-0-3", "fence job-0-4",
                                          "fence job-0-5", "begin job-0-4"});
  steps.clear();
  s->write(keyed{"k", "d"});
  s->snapshot_state(3);
  s->notify_checkpoint_complete(3);
  s->close();
  CHECK(steps == std::vector<std::string>{"pre-commit job-0-4", "begin job-0-5",
                                          "commit job-0-4", "abort job-0-5"});
  // The producer of the failed attempt's open transaction was aborted by the restore: the old
  // sink cannot use it any more.
  CHECK_THROWS_AS(first_attempt->snapshot_state(3), kafka_error);
}

TEST_CASE("exactly-once restored at a lower parallelism resolves every old subtask's transactions") {
  mock_cluster c;
  c.create_topic("eo2", 2);
  sluice::test::temp_dir dir;
  std::vector<std::string> steps;
  auto proto = keyed_sink(c, "eo2", delivery_guarantee::exactly_once)
                   .set_transactional_id_prefix("job")
                   .set_transaction_listener([&](std::string_view step, const std::string& id) {
                     steps.push_back(std::string(step) + " " + id);
                   });
  std::vector<operator_state_handle> handles;
  std::vector<std::unique_ptr<sink<keyed>>> old;
  {
    sink_subtask st(dir / "a", nullptr, 2);
    for (int i = 0; i < 2; ++i) {
      old.push_back(proto.clone());
      old.back()->open(st.context(i));
      old.back()->write(keyed{"k", std::to_string(i)});
      old.back()->snapshot_state(1);
      handles.push_back(st.state.snapshot(i, 1));
    }
  }
  steps.clear();
  sink_subtask restored(dir / "b", &handles, 1);
  auto s = proto.clone();
  s->open(restored.context());
  CHECK(steps == std::vector<std::string>{"commit job-0-1", "commit job-1-1", "abort job-0-2",
                                          "abort job-1-2", "fence job-0-3", "fence job-0-4",
                                          "fence job-1-3", "fence job-1-4", "begin job-0-3"});
  s->close();
}

TEST_CASE("exactly-once checks the transaction timeout against the checkpoint interval") {
  mock_cluster c;
  auto sink = keyed_sink(c, "t", delivery_guarantee::exactly_once);
  job_config job;
  job.checkpointing.interval_ms = 1000;
  CHECK_NOTHROW(sink.validate(job)); // librdkafka's default timeout: 60000 ms
  job.checkpointing.interval_ms = 60000;
  CHECK_THROWS_WITH_AS(sink.validate(job),
                       "kafka_sink: transaction.timeout.ms (60000) must be greater than "
                       "--checkpoint-interval-ms (60000): a transaction stays open from one "
                       "checkpoint until the next completes, and the broker aborts it after its "
                       "timeout",
                       config_error);
  sink.set_property("transaction.timeout.ms", "900000");
  CHECK_NOTHROW(sink.validate(job));
  CHECK_NOTHROW(keyed_sink(c, "t", delivery_guarantee::at_least_once).validate(job));
}

TEST_CASE("exactly-once checks the transaction timeout when it opens, without validate()") {
  mock_cluster c;
  auto sink = keyed_sink(c, "t", delivery_guarantee::exactly_once);
  sink.set_property("transaction.timeout.ms", "5000");
  sluice::test::temp_dir dir;
  sink_subtask subtask(dir.str());
  auto ctx = subtask.context();
  ctx.checkpoint_interval_ms = 5000;
  CHECK_THROWS_WITH_AS(sink.open(ctx),
                       doctest::Contains("transaction.timeout.ms (5000) must be greater than "
                                         "--checkpoint-interval-ms (5000)"),
                       config_error);
}

TEST_CASE("broker errors fail the sink naming the topic and partition") {
  mock_cluster c;
  c.create_topic("denied", 1);
  sluice::test::temp_dir dir;
  sink_subtask st(dir.str());
  SUBCASE("refused by the broker") {
    auto s = keyed_sink(c, "denied", delivery_guarantee::at_least_once).clone();
    s->open(st.context());
    rd_kafka_mock_push_request_errors(c.get(), 0 /* Produce */, 1,
                                      RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    s->write(keyed{"k", "v"});
    CHECK_THROWS_WITH_AS(s->snapshot_state(1),
                         doctest::Contains("delivery to topic 'denied' partition 0: Broker: "
                                           "Topic authorization failed"),
                         kafka_error);
  }
  SUBCASE("too large") {
    auto s = keyed_sink(c, "denied", delivery_guarantee::at_least_once)
                 .set_property("message.max.bytes", "1000")
                 .clone();
    s->open(st.context());
    CHECK_THROWS_WITH_AS(s->write(keyed{"k", std::string(2000, 'x')}),
                         doctest::Contains("cannot produce to topic 'denied'"), kafka_error);
  }
}
