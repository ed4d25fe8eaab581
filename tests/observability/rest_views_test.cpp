// The REST API's answers and the Prometheus exposition made from a state document written here
// by hand, and the rates of two metric samples: expected values worked out in the test.

#include "../../actors/src/job_metrics.hpp"
#include "../../actors/src/rest/prometheus.hpp"
#include "../../actors/src/rest/rest_views.hpp"

#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <sstream>

namespace {

using nlohmann::json;
using namespace sluice;

json subtask(int vertex, int index, std::uint64_t in, std::uint64_t out, double bp_ms_per_s) {
  return json{{"vertex", vertex},
              {"subtask", index},
              {"task_manager", "tm-" + std::to_string(index)},
              {"slot", 0},
              {"status", "RUNNING"},
              {"reported", true},
              {"sample_time", 1000},
              {"start_time", 500},
              {"numRecordsIn", in},
              {"numRecordsOut", out},
              {"numBytesIn", in * 10},
              {"numBytesOut", out * 10},
              {"numRecordsInPerSecond", 1.5},
              {"numRecordsOutPerSecond", 2.5},
              {"numBytesInPerSecond", 0.0},
              {"numBytesOutPerSecond", 0.0},
              {"busyTimeMsPerSecond", 100.0},
              {"idleTimeMsPerSecond", 900.0 - bp_ms_per_s},
              {"backPressuredTimeMsPerSecond", bp_ms_per_s},
              {"accumulatedBusyTimeMs", 7},
              {"accumulatedBackPressuredTimeMs", 3},
              {"currentInputWatermark", nullptr},
              {"currentOutputWatermark", vertex == 0 ? json(1234) : json(nullptr)},
              {"watermarkLagMs", nullptr},
              {"inputCreditsOutstanding", 4},
              {"outputQueueLength", 0}};
}

json document() {
  return json{
      {"jid", "word_count"},
      {"name", "word \"count\""},
      {"state", "RUNNING"},
      {"start-time", 100},
      {"now", 2100},
      {"duration", 2000},
      {"numRestarts", 1},
      {"plan",
       {{"vertices",
         {{{"id", 0}, {"name", "Source: s"}, {"parallelism", 1}, {"is_source", true},
           {"operators", json::array()}},
          {{"id", 1}, {"name", "sum"}, {"parallelism", 2}, {"is_source", false},
           {"operators", json::array()}}}},
        {"edges", {{{"source", 0}, {"target", 1}, {"ship_strategy", "HASH"}}}}}},
      {"subtasks",
       {subtask(0, 0, 10, 30, 0), subtask(1, 0, 12, 0, 50), subtask(1, 1, 18, 0, 600)}},
      {"taskmanagers",
       {{{"id", "tm-0"}, {"path", "h:1"}, {"slotsNumber", 1}, {"freeSlots", 0}, {"ready", true},
         {"lost", false}, {"metrics", {{"rssBytes", 1}, {"cpuTimeMs", 2000},
                                      {"bufferPoolKeptBytes", 3}, {"bufferPoolMaxBytes", 4}}}},
        {{"id", "tm-1"}, {"path", "h:2"}, {"slotsNumber", 1}, {"freeSlots", 0}, {"ready", false},
         {"lost", true}}}},
      {"checkpoints",
       {{"counts", {{"completed", 2}, {"failed", 1}, {"in_progress", 0}, {"total", 3},
                    {"restored", 0}}},
        {"latest", {{"completed", {{"end_to_end_duration", 1500}, {"state_size", 42},
                                   {"checkpointed_size", 7}}},
                    {"failed", nullptr}, {"restored", nullptr}}},
        {"history", json::array()}}},
      {"exceptions", json::array()}};
}

/// The value of the sample of `name` whose labels contain `labels`.
std::string sample(const std::string& text, const std::string& name, const std::string& labels) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(name + "{", 0) == 0 && line.find(labels) != std::string::npos)
      return line.substr(line.rfind(' ') + 1);
  return "";
}

} // namespace

TEST_CASE("metrics.rates_from_two_samples") {
  metric_samples<subtask_metrics> s;
  subtask_metrics m;
  m.records_in = 100;
  s.add(m, 10'000);
  CHECK(s.rate([](const subtask_metrics& x) { return x.records_in; }) == 0); // one sample
  m.records_in = 400;
  s.add(m, 10'500);
  CHECK(s.rate([](const subtask_metrics& x) { return x.records_in; }) == doctest::Approx(600.0));
  m.records_in = 50; // a restarted subtask counts from 0 again: no negative rate
  s.add(m, 11'000);
  CHECK(s.rate([](const subtask_metrics& x) { return x.records_in; }) == 0);
}

TEST_CASE("rest.views_404_and_400") {
  const auto doc = document();
  CHECK_NOTHROW(rest::check_job(doc, "word_count"));
  auto status_of = [](auto&& f) {
    try {
      f();
    } catch (const rest::http_error& e) {
      return e.status;
    }
    return 200;
  };
  CHECK(status_of([&] { rest::check_job(doc, "other"); }) == 404);
  CHECK(status_of([&] { rest::vertex(doc, "2"); }) == 404);
  CHECK(status_of([&] { rest::task_manager(doc, "tm-9"); }) == 404);
  CHECK(status_of([&] { rest::job_metrics(doc, std::string("uptime,nope")); }) == 400);
  const auto values = rest::job_metrics(doc, std::string("uptime,numRestarts"));
  CHECK(values == json::parse(R"([{"id":"uptime","value":"2000"},{"id":"numRestarts","value":"1"}])"));
}

TEST_CASE("rest.views_checkpoint_sizes") {
  const auto values =
      rest::job_metrics(document(), std::string("lastCheckpointSize,lastCheckpointCheckpointedSize"));
  CHECK(values == json::parse(R"([{"id":"lastCheckpointSize","value":"42"},)"
                              R"({"id":"lastCheckpointCheckpointedSize","value":"7"}])"));
}

TEST_CASE("rest.views_sums_backpressure_watermarks") {
  const auto doc = document();
  const auto v = rest::vertex(doc, "1");
  CHECK(v["metrics"]["read-records"] == 12 + 18);
  CHECK(v["metrics"]["read-bytes"] == 120 + 180);
  CHECK(v["subtasks"].size() == 2);
  const auto bp = rest::backpressure(doc, "1");
  CHECK(bp["subtasks"][0]["backpressureLevel"] == "ok");   // 0.05
  CHECK(bp["subtasks"][1]["backpressureLevel"] == "high"); // 0.6
  CHECK(bp["backpressureLevel"] == "high");
  CHECK(rest::watermarks(doc, "0") ==
        json::parse(R"([{"id":"0.currentOutputWatermark","value":"1234"}])"));
  const auto o = rest::overview(doc);
  CHECK(o["taskmanagers"] == 1); // the lost one does not count
  CHECK(rest::plan(doc)["plan"]["nodes"][1]["inputs"][0]["ship_strategy"] == "HASH");
}

TEST_CASE("prometheus.exposition_names_labels") {
  const auto text = rest::prometheus_text(document());
  CHECK(text.find("# TYPE sluice_task_records_in_total counter\n") != std::string::npos);
  CHECK(sample(text, "sluice_task_records_in_total", "vertex=\"1\",operator=\"sum\",subtask=\"1\"") ==
        "18");
  CHECK(sample(text, "sluice_job_info", "name=\"word \\\"count\\\"\"") == "1");
  CHECK(sample(text, "sluice_taskmanager_cpu_seconds_total", "task_manager=\"tm-0\"") == "2");
  CHECK(sample(text, "sluice_taskmanager_up", "task_manager=\"tm-1\"") == "0");
  CHECK(sample(text, "sluice_job_last_checkpoint_duration_seconds", "job=") == "1.5");
  CHECK(sample(text, "sluice_job_last_checkpoint_size_bytes", "job=") == "42");
  CHECK(sample(text, "sluice_job_last_checkpoint_written_bytes", "job=") == "7");
  // One output watermark only (subtask 0 of vertex 0).
  CHECK(text.find("sluice_task_current_output_watermark_milliseconds{") ==
        text.rfind("sluice_task_current_output_watermark_milliseconds{"));
  CHECK(rest::escape_label("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
}
