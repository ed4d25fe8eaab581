// kafka_source against an in-process mock cluster: partition assignment, redistribution on
// restore at another parallelism, start and stop offsets, discovery, offsets committed on
// checkpoint completion, deserialization errors. Expected records are the ones the test wrote.

#include "connectors/kafka/source_harness.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

using namespace sluice;
using namespace sluice::kafka;
using namespace sluice::kafka::test;

namespace {

/// Writes `per_partition` records "p-i" to each partition of a new topic.
std::vector<std::string> fill_topic(mock_cluster& c, const std::string& topic, int partitions,
                                    int per_partition) {
  c.create_topic(topic, partitions);
  std::vector<std::string> all;
  for (int i = 0; i < per_partition; ++i)
    for (int p = 0; p < partitions; ++p) {
      all.push_back(std::to_string(p) + "-" + std::to_string(i));
      c.produce(topic, p, all.back());
    }
  std::sort(all.begin(), all.end());
  return all;
}

std::vector<std::string> values(source_subtasks& s) {
  std::vector<std::string> out;
  for (int i = 0; i < s.parallelism(); ++i)
    for (auto& r : s.records(i))
      out.push_back(r.value);
  std::sort(out.begin(), out.end());
  return out;
}

/// Flink's owner of a partition, written out here: Java's String.hashCode, then
/// ((hash * 31) & 0x7fffffff) % n + partition, modulo n.
int flink_owner(const std::string& topic, int partition, int n) {
  std::uint32_t h = 0;
  for (unsigned char c : topic)
    h = h * 31 + c;
  const auto start = static_cast<std::int64_t>((h * 31u) & 0x7fffffffu) % n;
  return static_cast<int>((start + partition) % n);
}

} // namespace

TEST_CASE("partitions are assigned to subtasks as Flink's KafkaSource assigns them") {
  mock_cluster c;
  c.create_topic("orders", 7);
  sluice::test::temp_dir dir;
  source_subtasks s(string_source(c, {"orders"}).set_bounded(), 3, dir.str());
  std::set<int> seen;
  for (int i = 0; i < 3; ++i)
    for (const auto& split : s.source(i).splits()) {
      CHECK(flink_owner("orders", split.partition, 3) == i);
      CHECK(seen.insert(split.partition).second);
    }
  CHECK(seen.size() == 7);
}

TEST_CASE("restores at parallelism 2 -> 3 -> 2 read every record after the checkpoint once") {
  mock_cluster c;
  const auto all = fill_topic(c, "events", 4, 10);
  sluice::test::temp_dir dir;
  const auto proto = string_source(c, {"events"}).set_bounded();
  std::vector<std::string> kept;
  auto keep = [&](source_subtasks& s) {
    auto v = values(s);
    kept.insert(kept.end(), v.begin(), v.end());
  };
  std::vector<operator_state_handle> first;
  {
    source_subtasks a(proto, 2, dir / "1");
    for (int i = 0; i < 2; ++i)
      a.poll_until(i, 3);
    first = a.checkpoint(1);
    keep(a);
    for (int i = 0; i < 2; ++i)
      a.poll_until(i, 6); // lost with the failure
  }
  std::vector<operator_state_handle> second;
  {
    source_subtasks b(proto, 3, dir / "2", &first);
    for (int i = 0; i < 3; ++i)
      b.poll_until(i, 2);
    second = b.checkpoint(2);
    keep(b);
    b.poll_until(0, 5);
  }
  source_subtasks last(proto, 2, dir / "3", &second);
  last.drain();
  keep(last);
  std::sort(kept.begin(), kept.end());
  CHECK(kept == all);
}

TEST_CASE("start offsets: earliest, latest, explicit and committed with a fallback") {
  mock_cluster c;
  const auto all = fill_topic(c, "starts", 2, 4);
  sluice::test::temp_dir dir;

  SUBCASE("earliest reads everything") {
    source_subtasks s(string_source(c, {"starts"}).set_bounded(), 1, dir.str());
    s.drain();
    CHECK(values(s) == all);
  }
  SUBCASE("latest reads only what is written after the start") {
    source_subtasks s(
        string_source(c, {"starts"}).set_starting_offsets(start_offsets::latest()), 1,
        dir.str());
    c.produce("starts", 1, "new");
    s.poll_until(0, 1);
    CHECK(values(s) == std::vector<std::string>{"new"});
  }
  SUBCASE("explicit offsets, the other partitions at the fallback") {
    source_subtasks s(string_source(c, {"starts"})
                          .set_starting_offsets(start_offsets::at(
                              {{{"starts", 0}, 2}}, start_offsets::mode::latest))
                          .set_bounded(),
                      1, dir.str());
    s.drain();
    CHECK(values(s) == std::vector<std::string>{"0-2", "0-3"});
  }
  SUBCASE("the group's committed offsets, else earliest or latest") {
    auto committer = make_handle(
        RD_KAFKA_CONSUMER, {{"bootstrap.servers", c.bootstrap_servers()}, {"group.id", "g"}},
        "committer");
    auto* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, "starts", 0)->offset = 3;
    REQUIRE(rd_kafka_commit(committer.get(), list, 0) == RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(list);
    for (auto fallback : {start_offsets::mode::earliest, start_offsets::mode::latest}) {
      source_subtasks s(string_source(c, {"starts"})
                            .set_group_id("g")
                            .set_starting_offsets(start_offsets::committed(fallback))
                            .set_bounded(),
                        1, dir.str());
      s.drain();
      std::vector<std::string> expected{"0-3"};
      if (fallback == start_offsets::mode::earliest)
        expected = {"0-3", "1-0", "1-1", "1-2", "1-3"};
      CHECK(values(s) == expected);
    }
  }
  SUBCASE("committed offsets without a group id are an error") {
    CHECK_THROWS_WITH_AS(source_subtasks(string_source(c, {"starts"})
                                             .set_starting_offsets(start_offsets::committed()),
                                         1, dir.str()),
                         doctest::Contains("need a group.id"), source_error);
  }
}

TEST_CASE("bounded mode stops at given offsets and reports each partition finished") {
  mock_cluster c;
  fill_topic(c, "bounded", 2, 5);
  sluice::test::temp_dir dir;
  source_subtasks s(
      string_source(c, {"bounded"}).set_bounded(stop_offsets::at({{{"bounded", 1}, 2}})), 1,
      dir.str());
  c.produce("bounded", 0, "after the start"); // beyond the end offset fixed at open
  s.drain();
  CHECK(s.status(0) == source_status::finished);
  CHECK(values(s) == std::vector<std::string>{"0-0", "0-1", "0-2", "0-3", "0-4", "1-0", "1-1"});
  std::set<std::int64_t> finished(s.split(0).finished.begin(), s.split(0).finished.end());
  CHECK(finished == std::set<std::int64_t>{kafka_partition_reader::split_id("bounded", 0),
                                           kafka_partition_reader::split_id("bounded", 1)});
}

TEST_CASE("records carry their partition as split and their Kafka timestamp") {
  mock_cluster c;
  c.create_topic("stamped", 2);
  c.produce("stamped", 0, "a", 1000);
  c.produce("stamped", 1, "b", 2000);
  sluice::test::temp_dir dir;
  source_subtasks s(string_source(c, {"stamped"}).set_bounded(), 1, dir.str());
  s.drain();
  std::set<std::tuple<std::string, std::int64_t, std::int64_t>> got;
  for (auto& r : s.records(0))
    got.insert({r.value, r.split, r.timestamp});
  CHECK(got == std::set<std::tuple<std::string, std::int64_t, std::int64_t>>{
                   {"a", kafka_partition_reader::split_id("stamped", 0), 1000},
                   {"b", kafka_partition_reader::split_id("stamped", 1), 2000}});
  CHECK(kafka_partition_reader::split_id("stamped", 0) !=
        kafka_partition_reader::split_id("stamped", 1));
}

TEST_CASE("new topics matching the pattern are discovered and read once") {
  mock_cluster c;
  c.create_topic("disc-a", 1);
  c.produce("disc-a", 0, "a0");
  sluice::test::temp_dir dir;
  source_subtasks s(kafka_source<std::string>{}
                        .set_bootstrap_servers(c.bootstrap_servers())
                        .set_topic_pattern("disc-.*")
                        .set_property("partition.discovery.interval.ms", "1")
                        .set_value_deserializer([](std::string_view v) { return std::string(v); }),
                    2, dir.str());
  c.create_topic("disc-b", 3);
  for (int p = 0; p < 3; ++p)
    c.produce("disc-b", p, "b" + std::to_string(p));
  c.create_topic("other", 1);
  c.produce("other", 0, "not matching");
  for (int i = 0; i < 2; ++i) {
    std::size_t mine = 0;
    if (flink_owner("disc-a", 0, 2) == i)
      ++mine;
    for (int p = 0; p < 3; ++p)
      if (flink_owner("disc-b", p, 2) == i)
        ++mine;
    s.poll_until(i, mine);
  }
  CHECK(values(s) == std::vector<std::string>{"a0", "b0", "b1", "b2"});
}

TEST_CASE("a completed checkpoint commits its offsets to the group") {
  mock_cluster c;
  fill_topic(c, "monitored", 2, 3);
  sluice::test::temp_dir dir;
  source_subtasks s(string_source(c, {"monitored"}).set_group_id("mon"), 1, dir.str());
  s.poll_until(0, 6);
  s.checkpoint(1);
  s.source(0).notify_checkpoint_complete(1);
  auto reader = make_handle(
      RD_KAFKA_CONSUMER, {{"bootstrap.servers", c.bootstrap_servers()}, {"group.id", "mon"}},
      "reader");
  std::vector<std::int64_t> committed{-1, -1};
  for (int attempt = 0; attempt < 200 && committed != std::vector<std::int64_t>{3, 3}; ++attempt) {
    auto* list = rd_kafka_topic_partition_list_new(2);
    rd_kafka_topic_partition_list_add(list, "monitored", 0);
    rd_kafka_topic_partition_list_add(list, "monitored", 1);
    REQUIRE(rd_kafka_committed(reader.get(), list, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR);
    committed = {list->elems[0].offset, list->elems[1].offset};
    rd_kafka_topic_partition_list_destroy(list);
    if (committed != std::vector<std::int64_t>{3, 3}) // the commit is asynchronous
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(committed == std::vector<std::int64_t>{3, 3});
}

TEST_CASE("a record the deserializer refuses fails the job naming it, or is skipped and counted") {
  mock_cluster c;
  c.create_topic("numbers", 1);
  for (auto v : {"1", "x", "3"})
    c.produce("numbers", 0, v);
  sluice::test::temp_dir dir;
  auto proto = kafka_source<std::string>{}
                   .set_bootstrap_servers(c.bootstrap_servers())
                   .set_topics({"numbers"})
                   .set_bounded()
                   .set_value_deserializer([](std::string_view v) {
                     if (v.find_first_not_of("0123456789") != std::string_view::npos)
                       throw std::invalid_argument("not a number");
                     return std::string(v);
                   });
  SUBCASE("fail") {
    source_subtasks s(proto, 1, dir.str());
    CHECK_THROWS_WITH_AS(s.drain(),
                         "kafka_source: cannot deserialize the record at topic 'numbers' "
                         "partition 0 offset 1: not a number",
                         source_error);
  }
  SUBCASE("skip") {
    proto.skip_malformed();
    source_subtasks s(proto, 1, dir.str());
    s.drain();
    CHECK(values(s) == std::vector<std::string>{"1", "3"});
    CHECK(proto.skipped_records() == 1);
  }
}

TEST_CASE("an unreachable cluster or a missing topic fails at open with a clear error") {
  sluice::test::temp_dir dir;
  CHECK_THROWS_WITH_AS(source_subtasks(kafka_source<std::string>{}
                                           .set_bootstrap_servers("127.0.0.1:1")
                                           .set_topics({"t"})
                                           .set_metadata_timeout(std::chrono::milliseconds(300))
                                           .set_value_deserializer(
                                               [](std::string_view v) { return std::string(v); }),
                                       1, dir.str()),
                       doctest::Contains("bootstrap.servers '127.0.0.1:1' within 300 ms"),
                       kafka_error);
  mock_cluster c;
  CHECK_THROWS_WITH_AS(source_subtasks(string_source(c, {"missing"}), 1, dir.str()),
                       doctest::Contains("topic 'missing' does not exist"), source_error);
}
