// A Kafka source's backlog (pendingRecords, docs/terminal.md): end offset minus position,
// summed over the subtask's partitions, against a mock cluster holding records the test wrote.

#include "connectors/kafka/source_harness.hpp"
#include "temp_dir.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

using namespace sluice;
using namespace sluice::kafka;
using namespace sluice::kafka::test;

namespace {

/// Writes `per_partition` records to each partition of a new topic.
void fill(mock_cluster& c, const std::string& topic, int partitions, int per_partition) {
  c.create_topic(topic, partitions);
  for (int i = 0; i < per_partition; ++i)
    for (int p = 0; p < partitions; ++p)
      c.produce(topic, p, std::to_string(p) + "-" + std::to_string(i));
}

std::int64_t pending(source_subtasks& s, int i) { return s.source(i).backlog().pending_records; }

} // namespace

TEST_CASE("a bounded source's pending records: its stop offsets minus what it read") {
  mock_cluster c;
  fill(c, "backlog", 3, 20);
  sluice::test::temp_dir dir;
  source_subtasks s(string_source(c, {"backlog"}).set_bounded(), 2, dir.str());
  std::int64_t owned[2] = {};
  for (int i = 0; i < 2; ++i)
    owned[i] = 20 * static_cast<std::int64_t>(s.source(i).splits().size());
  REQUIRE(owned[0] + owned[1] == 60);
  for (int i = 0; i < 2; ++i)
    CHECK(pending(s, i) == owned[i]);
  const int i = owned[0] > 0 ? 0 : 1;
  s.poll_until(i, 7);
  REQUIRE(s.records(i).size() == 7);
  CHECK(pending(s, i) == owned[i] - 7);
  CHECK(s.source(i).backlog().pending_bytes == -1);
  s.drain();
  CHECK(pending(s, 0) == 0);
  CHECK(pending(s, 1) == 0);
}

TEST_CASE("an unbounded source's pending records: the partition's end offset minus its position") {
  mock_cluster c;
  fill(c, "backlog", 1, 30);
  sluice::test::temp_dir dir;
  source_subtasks s(string_source(c, {"backlog"}), 1, dir.str());
  s.poll_until(0, 12);
  REQUIRE(s.records(0).size() == 12);
  // The end offset is the one of librdkafka's latest fetch response, which delivered them.
  CHECK(pending(s, 0) == 30 - 12);
  c.produce("backlog", 0, "late");
  s.poll_until(0, 31);
  CHECK(pending(s, 0) == 0);
}

TEST_CASE("a source's bytes read: the keys and values of the records it read") {
  mock_cluster c;
  fill(c, "read", 1, 25); // values "0-0" .. "0-24", no keys
  sluice::test::temp_dir dir;
  source_subtasks s(string_source(c, {"read"}), 1, dir.str());
  CHECK(s.source(0).backlog().bytes_read == 0);
  s.poll_until(0, 25);
  REQUIRE(s.records(0).size() == 25);
  std::int64_t expected = 0;
  for (int i = 0; i < 25; ++i)
    expected += static_cast<std::int64_t>(("0-" + std::to_string(i)).size());
  CHECK(s.source(0).backlog().bytes_read == expected);
}
