// kafka_source in real jobs on the embedded local cluster, against an in-process mock cluster:
// a source subtask without partitions is idle (an event-time window downstream fires), and
// malformed records go to the source's side output.

#include "connectors/kafka/mock_cluster.hpp"
#include "sluice/connectors/kafka/kafka_source.hpp"
#include "sluice/operators/sinks/collecting_sink.hpp"

#include <sluice/sluice.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using namespace sluice;
using namespace sluice::kafka;
using namespace sluice::kafka::test;

namespace {

/// (window start, number of records) of each window.
class count_per_window final
    : public process_window_function<int, std::string, std::pair<std::int64_t, std::int64_t>> {
public:
  void process(const context& ctx, const std::vector<std::string>& elements,
               collector<std::pair<std::int64_t, std::int64_t>>& out) override {
    out.collect({ctx.window().start, static_cast<std::int64_t>(elements.size())});
  }
};

/// Digits only, else throws.
std::int64_t parse_number(std::string_view v) {
  if (v.empty() || v.find_first_not_of("0123456789") != std::string_view::npos)
    throw std::invalid_argument("not a number: '" + std::string(v) + "'");
  return std::stoll(std::string(v));
}

job_config config(int parallelism) {
  job_config c;
  c.parallelism = parallelism;
  return c;
}

} // namespace

TEST_CASE("a source subtask without partitions is idle: a window downstream fires") {
  mock_cluster c;
  c.create_topic("one", 1);
  // Window [0, 1000) holds three records; the record at 1500 moves the watermark past it.
  for (std::int64_t ts : {100, 200, 300, 1500})
    c.produce("one", 0, "r", ts);
  environment env(config(2)); // two source subtasks, one partition: one subtask reads nothing
  collecting_sink<std::pair<std::int64_t, std::int64_t>> windows;
  auto src = kafka_source<std::string>{}
                 .set_bootstrap_servers(c.bootstrap_servers())
                 .set_topics({"one"})
                 .set_value_deserializer([](std::string_view v) { return std::string(v); });
  env.from_source(src, "one", watermark_strategy<std::string>::for_monotonous_timestamps())
      .key_by([](const std::string&) { return 0; })
      .window(tumbling_windows{1000})
      .process(count_per_window{})
      .sink_to(windows);
  auto job = env.execute_async("idle subtask");
  // The source is unbounded: only watermarks fire the window. A subtask holding the watermark
  // back would keep it from firing (the wait ends after 60 s only so that the test fails).
  CHECK(windows.wait_for(1, std::chrono::seconds(60)));
  job->cancel();
  job->wait();
  CHECK(windows.results() == std::vector<std::pair<std::int64_t, std::int64_t>>{{0, 3}});
}

TEST_CASE("malformed records go to the source's side output with topic, partition and offset") {
  mock_cluster c;
  c.create_topic("mixed", 2);
  std::vector<std::int64_t> good;
  std::vector<std::tuple<std::int32_t, std::int64_t, std::string>> bad; // partition, offset, bytes
  std::int64_t next_offset[2] = {0, 0};
  for (int i = 0; i < 60; ++i) {
    const std::int32_t p = i % 2;
    const std::string value = i % 7 == 3 ? "bad-" + std::to_string(i) : std::to_string(i);
    c.produce("mixed", p, value, 0, "k" + std::to_string(i));
    if (i % 7 == 3)
      bad.emplace_back(p, next_offset[p], value);
    else
      good.push_back(i);
    ++next_offset[p];
  }
  const output_tag<malformed_kafka_record> malformed{"malformed"};
  auto src = kafka_source<std::int64_t>{}
                 .set_bootstrap_servers(c.bootstrap_servers())
                 .set_topics({"mixed"})
                 .set_bounded()
                 .skip_malformed(malformed)
                 .set_value_deserializer(parse_number);
  environment env(config(2));
  collecting_sink<std::int64_t> numbers;
  collecting_sink<malformed_kafka_record> refused;
  auto stream = env.from_source(src, "mixed");
  stream.get_side_output(malformed).sink_to(refused);
  stream.sink_to(numbers);
  auto result = env.execute("malformed records");
  REQUIRE_MESSAGE(result.ok(), result.error());
  auto got = numbers.results();
  std::sort(got.begin(), got.end());
  CHECK(got == good);
  std::vector<std::tuple<std::int32_t, std::int64_t, std::string>> got_bad;
  for (const auto& r : refused.results()) {
    CHECK(r.topic == "mixed");
    CHECK(r.key == "k" + r.value.substr(4));
    CHECK(r.error == "not a number: '" + r.value + "'");
    got_bad.emplace_back(r.partition, r.offset, r.value);
  }
  std::sort(got_bad.begin(), got_bad.end());
  std::sort(bad.begin(), bad.end());
  CHECK(got_bad == bad);
  CHECK(src.skipped_records() == bad.size());
}
