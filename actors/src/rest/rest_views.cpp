#include "rest_views.hpp"

#include "operator_views.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <sstream>

namespace sluice::rest {

namespace {

/// Flink's back-pressure levels by the share of time back-pressured.
std::string backpressure_level(double ratio) {
  if (ratio <= 0.10)
    return "ok";
  return ratio <= 0.5 ? "low" : "high";
}

const json& vertex_of(const json& doc, const std::string& vid) {
  for (const auto& v : doc["plan"]["vertices"])
    if (std::to_string(v["id"].get<int>()) == vid)
      return v;
  throw http_error(404, "job '" + doc["jid"].get<std::string>() + "' has no vertex '" + vid +
                            "' (vertices are numbered from 0)");
}

std::vector<json> subtasks_of(const json& doc, int vertex) {
  std::vector<json> out;
  for (const auto& s : doc["subtasks"])
    if (s["vertex"].get<int>() == vertex)
      out.push_back(s);
  return out;
}

/// Flink's IO metrics of a subtask or a vertex (sums over its subtasks).
json io_metrics(const std::vector<json>& subtasks) {
  std::uint64_t in = 0, out = 0, bytes_in = 0, bytes_out = 0, busy = 0, bp = 0;
  bool complete = true;
  for (const auto& s : subtasks) {
    in += s["numRecordsIn"].get<std::uint64_t>();
    out += s["numRecordsOut"].get<std::uint64_t>();
    bytes_in += s["numBytesIn"].get<std::uint64_t>();
    bytes_out += s["numBytesOut"].get<std::uint64_t>();
    busy += s["accumulatedBusyTimeMs"].get<std::uint64_t>();
    bp += s["accumulatedBackPressuredTimeMs"].get<std::uint64_t>();
    complete = complete && s["status"] == "FINISHED";
  }
  return json{{"read-records", in},
              {"read-records-complete", complete},
              {"write-records", out},
              {"write-records-complete", complete},
              {"read-bytes", bytes_in},
              {"read-bytes-complete", complete},
              {"write-bytes", bytes_out},
              {"write-bytes-complete", complete},
              {"accumulated-busy-time", busy},
              {"accumulated-backpressured-time", bp}};
}

/// Counts of subtasks by status, with every status Flink shows.
json status_counts(const std::vector<json>& subtasks) {
  json counts{{"CREATED", 0},   {"DEPLOYING", 0}, {"RUNNING", 0}, {"FINISHED", 0},
              {"CANCELING", 0}, {"CANCELED", 0},  {"FAILED", 0},  {"LOST", 0}};
  for (const auto& s : subtasks)
    counts[s["status"].get<std::string>()] = counts.value(s["status"].get<std::string>(), 0) + 1;
  return counts;
}

/// A vertex's status: the least advanced of its subtasks'.
std::string vertex_status(const json& counts, std::size_t subtasks) {
  for (const char* s : {"LOST", "FAILED", "CANCELING", "CREATED", "DEPLOYING", "RUNNING"})
    if (counts[s].get<int>() > 0)
      return s;
  return subtasks > 0 ? "FINISHED" : "CREATED";
}

json subtask_entry(const json& doc, const json& s) {
  json metrics = io_metrics({s});
  for (const char* name :
       {"numRecordsIn", "numRecordsOut", "numBytesIn", "numBytesOut", "numRecordsInPerSecond",
        "numRecordsOutPerSecond", "numBytesInPerSecond", "numBytesOutPerSecond",
        "busyTimeMsPerSecond", "idleTimeMsPerSecond", "backPressuredTimeMsPerSecond",
        "currentInputWatermark", "currentOutputWatermark", "watermarkLagMs",
        "inputCreditsOutstanding", "outputQueueLength"})
    metrics[name] = s[name];
  // a source's backlog and what it read
  for (const char* name : {"pendingRecords", "pendingBytes", "inputBytes", "numBytesRead"})
    if (!s.value(name, json()).is_null())
      metrics[name] = s[name];
  metrics["numLateRecordsDropped"] = s.value("numLateRecordsDropped", std::uint64_t{0});
  const auto start = s["start_time"].get<std::int64_t>();
  return json{{"subtask", s["subtask"]},
              {"status", s["status"]},
              {"attempt", doc["numRestarts"]},
              {"taskmanager-id", s["task_manager"]},
              {"endpoint", s["task_manager"]},
              {"slot", s["slot"]},
              {"start-time", start > 0 ? start : -1},
              {"end-time", -1},
              {"duration", start > 0 ? doc["now"].get<std::int64_t>() - start : -1},
              {"reported", s["reported"]},
              {"metrics-time", s["sample_time"]},
              {"metrics", std::move(metrics)},
              {"operators", subtask_operators(s)}};
}

json vertex_summary(const json& doc, const json& v) {
  const auto subtasks = subtasks_of(doc, v["id"].get<int>());
  const auto counts = status_counts(subtasks);
  double in_rate = 0, out_rate = 0, busy = 0, bp = 0;
  std::uint64_t late = 0;
  for (const auto& s : subtasks) {
    late += s.value("numLateRecordsDropped", std::uint64_t{0});
    in_rate += s["numRecordsInPerSecond"].get<double>();
    out_rate += s["numRecordsOutPerSecond"].get<double>();
    busy = std::max(busy, s["busyTimeMsPerSecond"].get<double>());
    bp = std::max(bp, s["backPressuredTimeMsPerSecond"].get<double>());
  }
  json metrics = io_metrics(subtasks);
  metrics["numRecordsInPerSecond"] = in_rate;
  metrics["numRecordsOutPerSecond"] = out_rate;
  metrics["busyTimeMsPerSecond"] = busy;
  metrics["backPressuredTimeMsPerSecond"] = bp;
  metrics["numLateRecordsDropped"] = late;
  return json{{"id", std::to_string(v["id"].get<int>())},
              {"name", v["name"]},
              {"parallelism", v["parallelism"]},
              {"status", vertex_status(counts, subtasks.size())},
              {"start-time", doc["start-time"]},
              {"end-time", -1},
              {"duration", doc["duration"]},
              {"tasks", counts},
              {"metrics", std::move(metrics)},
              {"operators", vertex_operators(subtasks)}};
}

/// Flink's job metrics by name, as strings.
std::map<std::string, std::string> job_metric_values(const json& doc) {
  const auto& ck = doc["checkpoints"];
  const auto& latest = ck["latest"]["completed"];
  auto text = [](const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
  std::map<std::string, std::string> values{
      {"uptime", text(doc["duration"])},
      {"numRestarts", text(doc["numRestarts"])},
      {"fullRestarts", text(doc["numRestarts"])},
      {"numberOfCompletedCheckpoints", text(ck["counts"]["completed"])},
      {"numberOfFailedCheckpoints", text(ck["counts"]["failed"])},
      {"numberOfInProgressCheckpoints", text(ck["counts"]["in_progress"])},
      {"totalNumberOfCheckpoints", text(ck["counts"]["total"])},
      {"lastCheckpointDuration",
       latest.is_null() ? "-1" : text(latest["end_to_end_duration"])},
      {"lastCheckpointSize", latest.is_null() ? "-1" : text(latest["state_size"])},
      {"lastCheckpointCheckpointedSize",
       latest.is_null() ? "-1" : text(latest["checkpointed_size"])},
      {"lastCheckpointExternalPath",
       ck["latest"]["restored"].is_null() ? "n/a"
                                          : text(ck["latest"]["restored"]["external_path"])},
  };
  add_operator_metric_values(doc, values);
  return values;
}

json min_max_avg(const std::vector<std::int64_t>& values) {
  if (values.empty())
    return json{{"min", 0}, {"max", 0}, {"avg", 0}};
  std::int64_t sum = 0;
  for (auto v : values)
    sum += v;
  return json{{"min", *std::min_element(values.begin(), values.end())},
              {"max", *std::max_element(values.begin(), values.end())},
              {"avg", sum / static_cast<std::int64_t>(values.size())}};
}

} // namespace

void check_job(const json& doc, const std::string& id) {
  if (id != doc["jid"].get<std::string>() && id != doc["name"].get<std::string>())
    throw http_error(404, "unknown job '" + id + "': this job manager runs '" +
                              doc["jid"].get<std::string>() + "'");
}

json overview(const json& doc) {
  int slots = 0, free = 0, tms = 0;
  for (const auto& tm : doc["taskmanagers"]) {
    if (tm["lost"].get<bool>())
      continue;
    ++tms;
    slots += tm["slotsNumber"].get<int>();
    free += tm["freeSlots"].get<int>();
  }
  const auto state = doc["state"].get<std::string>();
  const bool ended = state == "FINISHED";
  return json{{"taskmanagers", tms},      {"slots-total", slots},
              {"slots-available", free},  {"jobs-running", ended ? 0 : 1},
              {"jobs-finished", ended ? 1 : 0}, {"jobs-cancelled", 0},
              {"jobs-failed", 0},         {"flink-version", "sluice"}};
}

json jobs(const json& doc) {
  return json{{"jobs", json::array({json{{"id", doc["jid"]}, {"status", doc["state"]}}})}};
}

json jobs_overview(const json& doc) {
  const auto counts = status_counts(std::vector<json>(doc["subtasks"].begin(),
                                                      doc["subtasks"].end()));
  json tasks;
  int total = 0;
  for (auto it = counts.begin(); it != counts.end(); ++it) {
    std::string key = it.key();
    std::transform(key.begin(), key.end(), key.begin(), ::tolower);
    tasks[key] = it.value();
    total += it.value().get<int>();
  }
  tasks["total"] = total;
  return json{{"jobs", json::array({json{{"jid", doc["jid"]},
                                         {"name", doc["name"]},
                                         {"state", doc["state"]},
                                         {"start-time", doc["start-time"]},
                                         {"end-time", -1},
                                         {"duration", doc["duration"]},
                                         {"last-modification", doc["now"]},
                                         {"tasks", tasks}}})}};
}

json job(const json& doc) {
  json vertices = json::array();
  for (const auto& v : doc["plan"]["vertices"])
    vertices.push_back(vertex_summary(doc, v));
  return json{{"jid", doc["jid"]},
              {"name", doc["name"]},
              {"isStoppable", false},
              {"state", doc["state"]},
              {"start-time", doc["start-time"]},
              {"end-time", -1},
              {"duration", doc["duration"]},
              {"now", doc["now"]},
              {"numRestarts", doc["numRestarts"]},
              {"vertices", std::move(vertices)},
              {"status-counts", status_counts(std::vector<json>(doc["subtasks"].begin(),
                                                                doc["subtasks"].end()))},
              {"plan", plan(doc)["plan"]}};
}

json plan(const json& doc) {
  json nodes = json::array();
  for (const auto& v : doc["plan"]["vertices"]) {
    json inputs = json::array();
    int num = 0;
    for (const auto& e : doc["plan"]["edges"])
      if (e["target"] == v["id"])
        inputs.push_back(json{{"num", num++},
                              {"id", std::to_string(e["source"].get<int>())},
                              {"ship_strategy", e["ship_strategy"]},
                              {"exchange", "pipelined_bounded"}});
    json node{{"id", std::to_string(v["id"].get<int>())},
              {"parallelism", v["parallelism"]},
              {"operator", v["is_source"].get<bool>() ? "Source" : ""},
              {"operator_strategy", ""},
              {"description", v["name"]},
              {"operators", v["operators"]}};
    if (!inputs.empty())
      node["inputs"] = std::move(inputs);
    nodes.push_back(std::move(node));
  }
  return json{{"plan",
               {{"jid", doc["jid"]}, {"name", doc["name"]}, {"type", "STREAMING"},
                {"nodes", std::move(nodes)}}}};
}

json vertex(const json& doc, const std::string& vid) {
  const auto& v = vertex_of(doc, vid);
  json subtasks = json::array();
  for (const auto& s : subtasks_of(doc, v["id"].get<int>()))
    subtasks.push_back(subtask_entry(doc, s));
  json out = vertex_summary(doc, v);
  out["now"] = doc["now"];
  out["maxParallelism"] = v["parallelism"];
  out["subtasks"] = std::move(subtasks);
  return out;
}

json backpressure(const json& doc, const std::string& vid) {
  const auto& v = vertex_of(doc, vid);
  json subtasks = json::array();
  double worst = 0;
  for (const auto& s : subtasks_of(doc, v["id"].get<int>())) {
    const double ratio = s["backPressuredTimeMsPerSecond"].get<double>() / 1000;
    worst = std::max(worst, ratio);
    subtasks.push_back(json{{"subtask", s["subtask"]},
                            {"attemptNumber", doc["numRestarts"]},
                            {"backpressureLevel", backpressure_level(ratio)},
                            {"ratio", ratio},
                            {"busyRatio", s["busyTimeMsPerSecond"].get<double>() / 1000},
                            {"idleRatio", s["idleTimeMsPerSecond"].get<double>() / 1000}});
  }
  return json{{"status", "ok"},
              {"backpressureLevel", backpressure_level(worst)},
              {"end-timestamp", doc["now"]},
              {"subtasks", std::move(subtasks)}};
}

json watermarks(const json& doc, const std::string& vid) {
  const auto& v = vertex_of(doc, vid);
  json out = json::array();
  for (const auto& s : subtasks_of(doc, v["id"].get<int>())) {
    const auto prefix = std::to_string(s["subtask"].get<int>()) + ".";
    for (const char* name : {"currentInputWatermark", "currentOutputWatermark"})
      if (!s[name].is_null())
        out.push_back(json{{"id", prefix + name}, {"value", s[name].dump()}});
  }
  return out;
}

json checkpoints(const json& doc) {
  const auto& ck = doc["checkpoints"];
  std::vector<std::int64_t> durations, sizes;
  json history = json::array();
  json latest_savepoint = nullptr;
  for (const auto& c : ck["history"]) {
    json entry = c;
    entry["@class"] = c["status"] == "COMPLETED" ? "completed"
                      : c["status"] == "FAILED"  ? "failed"
                                                 : "in_progress";
    entry["checkpoint_type"] = c["is_savepoint"].get<bool>() ? "SAVEPOINT" : "CHECKPOINT";
    if (c["status"] == "COMPLETED") {
      durations.push_back(c["end_to_end_duration"].get<std::int64_t>());
      sizes.push_back(c["state_size"].get<std::int64_t>());
      if (c["is_savepoint"].get<bool>() && latest_savepoint.is_null())
        latest_savepoint = entry;
    }
    history.push_back(std::move(entry));
  }
  json latest = ck["latest"];
  latest["savepoint"] = std::move(latest_savepoint);
  return json{{"counts", ck["counts"]},
              {"summary",
               {{"end_to_end_duration", min_max_avg(durations)},
                {"state_size", min_max_avg(sizes)}}},
              {"latest", std::move(latest)},
              {"history", std::move(history)}};
}

json exceptions(const json& doc) {
  json entries = json::array();
  json all = json::array();
  const auto& failures = doc["exceptions"];
  for (auto it = failures.rbegin(); it != failures.rend(); ++it) {
    const auto& f = *it;
    const auto task = f.value("taskName", std::string());
    entries.push_back(json{{"exceptionName", "sluice job failure"},
                           {"stacktrace", f["exception"]},
                           {"timestamp", f["timestamp"]},
                           {"taskName", task.empty() ? json(nullptr) : json(task)},
                           {"subtask", f.value("subtask", -1)},
                           {"concurrentExceptions", json::array()}});
    all.push_back(json{{"exception", f["exception"]},
                       {"task", task},
                       {"timestamp", f["timestamp"]}});
  }
  json out{{"all-exceptions", std::move(all)},
           {"truncated", false},
           {"exceptionHistory", {{"entries", std::move(entries)}, {"truncated", false}}}};
  if (!failures.empty()) {
    out["root-exception"] = failures.back()["exception"];
    out["timestamp"] = failures.back()["timestamp"];
  }
  return out;
}

json job_metrics(const json& doc, const std::optional<std::string>& get) {
  const auto values = job_metric_values(doc);
  json out = json::array();
  if (!get) {
    for (const auto& [name, value] : values)
      out.push_back(json{{"id", name}});
    return out;
  }
  std::stringstream names(*get);
  std::string name;
  while (std::getline(names, name, ',')) {
    auto it = values.find(name);
    if (it == values.end())
      throw http_error(400, "parameter 'get': the job has no metric '" + name +
                                "' (GET /jobs/<id>/metrics lists them)");
    out.push_back(json{{"id", name}, {"value", it->second}});
  }
  return out;
}

json task_managers(const json& doc) {
  json out = json::array();
  for (auto tm : doc["taskmanagers"]) {
    tm.erase("metrics");
    out.push_back(std::move(tm));
  }
  return json{{"taskmanagers", std::move(out)}};
}

json task_manager(const json& doc, const std::string& tmid) {
  for (const auto& tm : doc["taskmanagers"]) {
    if (tm["id"] != tmid)
      continue;
    json out = tm;
    json subtasks = json::array();
    for (const auto& s : doc["subtasks"])
      if (s["task_manager"] == tmid)
        subtasks.push_back(json{{"vertex", std::to_string(s["vertex"].get<int>())},
                                {"subtask", s["subtask"]},
                                {"slot", s["slot"]},
                                {"status", s["status"]}});
    out["subtasks"] = std::move(subtasks);
    return out;
  }
  throw http_error(404, "unknown task manager '" + tmid + "' (GET /taskmanagers lists them)");
}

} // namespace sluice::rest
