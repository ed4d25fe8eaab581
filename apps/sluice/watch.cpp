#include "watch.hpp"

#include "tables.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <thread>
#include <vector>

#include <unistd.h>

namespace sluice::cli {

namespace {

using nlohmann::json;

/// Clears a terminal and puts the cursor at the top left.
constexpr const char* clear_screen = "\033[H\033[2J";

double number(const json& v) { return v.is_number() ? v.get<double>() : 0.0; }

std::string fixed(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

/// A vertex's row; with metrics off (nothing collected) its metrics are null, not zeros.
json vertex_json(const json& doc, const json& v, bool metrics_on) {
  const int id = v["id"].get<int>();
  std::uint64_t in = 0, out = 0;
  double in_rate = 0, out_rate = 0, busy = 0, backpressured = 0;
  json lag = nullptr;
  std::string status = "FINISHED";
  for (const auto& s : doc["subtasks"]) {
    if (s["vertex"].get<int>() != id)
      continue;
    in += s.value("numRecordsIn", std::uint64_t{0});
    out += s.value("numRecordsOut", std::uint64_t{0});
    in_rate += number(s["numRecordsInPerSecond"]);
    out_rate += number(s["numRecordsOutPerSecond"]);
    busy = std::max(busy, number(s["busyTimeMsPerSecond"]) / 1000);
    backpressured = std::max(backpressured, number(s["backPressuredTimeMsPerSecond"]) / 1000);
    const auto& l = s["watermarkLagMs"];
    if (l.is_number() && (lag.is_null() || l.get<std::int64_t>() > lag.get<std::int64_t>()))
      lag = l;
    if (s["status"] != "FINISHED")
      status = s["status"].get<std::string>();
  }
  json row{{"id", id}, {"name", v["name"]}, {"parallelism", v["parallelism"]}, {"status", status}};
  const auto metric = [&](const char* name, json value) {
    row[name] = metrics_on ? std::move(value) : json(nullptr);
  };
  metric("records_in", in);
  metric("records_out", out);
  metric("records_in_per_s", in_rate);
  metric("records_out_per_s", out_rate);
  metric("busy", busy);
  metric("backpressured", backpressured);
  metric("watermark_lag_ms", lag);
  return row;
}

/// `format` applied to `scale * value`, or "-" for null (metrics off, no watermark).
std::string cell(const json& value, const char* format, double scale = 1) {
  return value.is_null() ? "-" : fixed(format, value.get<double>() * scale);
}

bool job_ended(const json& doc) { return doc.value("state", "") == "FINISHED"; }

/// Whether a new connection to the job manager can be made (after a request went unanswered).
bool job_manager_reachable(const watch_options& options) {
  try {
    cluster_client probe(options.job_manager, options.timeout, options.tls);
    return true;
  } catch (const cluster_unreachable&) {
    return false;
  }
}

} // namespace

json watch_json(const json& doc) {
  const bool metrics_on = doc["metrics_interval_ms"].get<std::int64_t>() > 0;
  json vertices = json::array();
  for (const auto& v : doc["plan"]["vertices"])
    vertices.push_back(vertex_json(doc, v, metrics_on));
  json checkpoint = nullptr;
  const auto& latest = doc["checkpoints"]["latest"]["completed"];
  if (!latest.is_null())
    checkpoint = json{{"id", latest["id"]},
                      {"duration_ms", latest["end_to_end_duration"]},
                      {"state_size", latest["state_size"]},
                      {"completed_at", latest["latest_ack_timestamp"]}};
  return json{{"job", doc["jid"]},
              {"name", doc["name"]},
              {"state", doc["state"]},
              {"uptime_ms", doc["duration"]},
              {"restarts", doc["numRestarts"]},
              {"metrics", metrics_on},
              {"latest_checkpoint", std::move(checkpoint)},
              {"vertices", std::move(vertices)}};
}

std::string watch_text(const json& frame) {
  std::ostringstream out;
  out << "job " << frame["job"].get<std::string>() << " (" << frame["name"].get<std::string>()
      << "): " << frame["state"].get<std::string>() << ", up "
      << format_duration(frame["uptime_ms"].get<std::int64_t>()) << ", restarts "
      << frame["restarts"].get<std::int64_t>() << ", latest checkpoint ";
  const auto& c = frame["latest_checkpoint"];
  if (c.is_null())
    out << "none";
  else
    out << c["id"].get<std::int64_t>() << " (" << c["duration_ms"].get<std::int64_t>()
        << " ms, " << c["state_size"].get<std::int64_t>() << " bytes)";
  out << "\n";
  if (!frame["metrics"].get<bool>())
    out << "metrics are off (the job runs with --metrics-interval-ms 0): no records, rates, "
           "busy time or watermarks to show\n";
  out << "\n";
  std::vector<std::vector<std::string>> rows{{"VERTEX", "PARALLELISM", "STATUS", "RECORDS_IN",
                                              "RECORDS_OUT", "IN/S", "OUT/S", "BUSY",
                                              "BACKPRESSURED", "WM_LAG", "NAME"}};
  for (const auto& v : frame["vertices"]) {
    const auto& lag = v["watermark_lag_ms"];
    rows.push_back({std::to_string(v["id"].get<int>()), std::to_string(v["parallelism"].get<int>()),
                    v["status"].get<std::string>(),
                    cell(v["records_in"], "%.0f"), cell(v["records_out"], "%.0f"),
                    cell(v["records_in_per_s"], "%.0f"), cell(v["records_out_per_s"], "%.0f"),
                    cell(v["busy"], "%.1f%%", 100), cell(v["backpressured"], "%.1f%%", 100),
                    lag.is_null() ? "-" : format_duration(lag.get<std::int64_t>()),
                    v["name"].get<std::string>()});
  }
  return out.str() + aligned(rows);
}

int watch_job(cluster_client& client, const std::string& job, const watch_options& options,
              std::ostream& out) {
  const bool screen = !options.json && ::isatty(STDOUT_FILENO) == 1;
  const auto request_timeout = std::min(
      options.timeout, std::max<std::chrono::milliseconds>(std::chrono::seconds(2),
                                                           2 * options.interval));
  for (long printed = 0;;) {
    json doc;
    try {
      doc = client.job_document(job, request_timeout);
    } catch (const cluster_unreachable&) {
      if (printed == 0)
        throw;
      if (job_manager_reachable(options)) {
        std::this_thread::sleep_for(options.interval);
        continue;
      }
      out << (options.json ? "" : "the job manager has gone: the job ended\n") << std::flush;
      return 0;
    }
    const auto frame = watch_json(doc);
    if (options.json)
      out << frame.dump() << '\n';
    else
      out << (screen ? clear_screen : printed > 0 ? "\n" : "") << watch_text(frame);
    out << std::flush;
    ++printed;
    if (job_ended(doc) || (options.count > 0 && printed >= options.count))
      return 0;
    std::this_thread::sleep_for(options.interval);
  }
}

} // namespace sluice::cli
