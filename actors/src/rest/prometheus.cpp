#include "prometheus.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <vector>

namespace sluice::rest {

namespace {

using nlohmann::json;

/// One metric family: name, type, help, and how to read a sample from an entry of the
/// document (null: no sample for that entry).
struct family {
  const char* name;
  const char* type;
  const char* help;
  std::function<json(const json&)> read;
};

std::string number(const json& v) {
  if (v.is_boolean())
    return v.get<bool>() ? "1" : "0";
  if (v.is_number_integer() || v.is_number_unsigned())
    return v.dump();
  const double d = v.get<double>();
  if (std::isnan(d))
    return "NaN";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

std::string labels(const std::vector<std::pair<const char*, std::string>>& kv) {
  std::string out = "{";
  for (const auto& [k, v] : kv) {
    if (out.size() > 1)
      out += ',';
    out += std::string(k) + "=\"" + escape_label(v) + "\"";
  }
  return out + "}";
}

void write_family(std::string& out, const family& f,
                  const std::vector<std::pair<std::string, const json*>>& entries) {
  std::string samples;
  for (const auto& [label_text, entry] : entries) {
    const json v = f.read(*entry);
    if (!v.is_null())
      samples += std::string(f.name) + label_text + " " + number(v) + "\n";
  }
  if (samples.empty())
    return;
  out += std::string("# HELP ") + f.name + " " + f.help + "\n";
  out += std::string("# TYPE ") + f.name + " " + f.type + "\n";
  out += samples;
}

json field(const json& entry, const char* name) { return entry.value(name, json(nullptr)); }

/// Milliseconds to seconds (null stays null).
json seconds(const json& ms) {
  return ms.is_null() ? ms : json(ms.get<double>() / 1000.0);
}

/// Milliseconds per second to a share of the time (null stays null).
json per_mille(const json& ms_per_s) { return seconds(ms_per_s); }

const std::vector<family>& subtask_families() {
  static const std::vector<family> families = {
      {"sluice_task_records_in_total", "counter",
       "Records the subtask took in (numRecordsIn; a source: records it read).",
       [](const json& s) { return field(s, "numRecordsIn"); }},
      {"sluice_task_records_out_total", "counter", "Records the subtask emitted (numRecordsOut).",
       [](const json& s) { return field(s, "numRecordsOut"); }},
      {"sluice_task_bytes_in_total", "counter", "Bytes of batches received (numBytesIn).",
       [](const json& s) { return field(s, "numBytesIn"); }},
      {"sluice_task_bytes_out_total", "counter", "Bytes of batches sent (numBytesOut).",
       [](const json& s) { return field(s, "numBytesOut"); }},
      {"sluice_task_records_in_per_second", "gauge", "numRecordsInPerSecond.",
       [](const json& s) { return field(s, "numRecordsInPerSecond"); }},
      {"sluice_task_records_out_per_second", "gauge", "numRecordsOutPerSecond.",
       [](const json& s) { return field(s, "numRecordsOutPerSecond"); }},
      {"sluice_task_bytes_in_per_second", "gauge", "numBytesInPerSecond.",
       [](const json& s) { return field(s, "numBytesInPerSecond"); }},
      {"sluice_task_bytes_out_per_second", "gauge", "numBytesOutPerSecond.",
       [](const json& s) { return field(s, "numBytesOutPerSecond"); }},
      {"sluice_task_busy_seconds_total", "counter", "Time spent processing.",
       [](const json& s) { return seconds(field(s, "accumulatedBusyTimeMs")); }},
      {"sluice_task_backpressured_seconds_total", "counter",
       "Time the subtask could not emit for lack of credit.",
       [](const json& s) { return seconds(field(s, "accumulatedBackPressuredTimeMs")); }},
      {"sluice_task_busy_time_ratio", "gauge", "Share of time busy (busyTimeMsPerSecond / 1000).",
       [](const json& s) { return per_mille(field(s, "busyTimeMsPerSecond")); }},
      {"sluice_task_idle_time_ratio", "gauge", "Share of time idle (idleTimeMsPerSecond / 1000).",
       [](const json& s) { return per_mille(field(s, "idleTimeMsPerSecond")); }},
      {"sluice_task_backpressured_time_ratio", "gauge",
       "Share of time back-pressured (backPressuredTimeMsPerSecond / 1000).",
       [](const json& s) { return per_mille(field(s, "backPressuredTimeMsPerSecond")); }},
      {"sluice_task_current_input_watermark_milliseconds", "gauge",
       "currentInputWatermark (ms since the epoch); absent before the first watermark.",
       [](const json& s) { return field(s, "currentInputWatermark"); }},
      {"sluice_task_current_output_watermark_milliseconds", "gauge",
       "currentOutputWatermark (ms since the epoch); absent before the first watermark.",
       [](const json& s) { return field(s, "currentOutputWatermark"); }},
      {"sluice_task_watermark_lag_seconds", "gauge",
       "Processing time minus the output watermark.",
       [](const json& s) { return seconds(field(s, "watermarkLagMs")); }},
      {"sluice_task_input_credits_outstanding", "gauge",
       "Credits granted to upstream subtasks and not used yet.",
       [](const json& s) { return field(s, "inputCreditsOutstanding"); }},
      {"sluice_task_output_queue_length", "gauge",
       "Batches and events queued at the output for lack of credit.",
       [](const json& s) { return field(s, "outputQueueLength"); }},
      {"sluice_source_pending_records", "gauge",
       "Records the source subtask has not read yet (pendingRecords; Kafka: end offset minus "
       "position, summed over its partitions); absent where not known.",
       [](const json& s) { return field(s, "pendingRecords"); }},
      {"sluice_source_pending_bytes", "gauge",
       "Bytes of its input the source subtask has not read yet (pendingBytes; files); absent "
       "where not known.",
       [](const json& s) { return field(s, "pendingBytes"); }},
      {"sluice_source_bytes_read_total", "counter",
       "Bytes the source subtask read from its input (numBytesRead; files, Kafka keys and "
       "values); absent where not known.",
       [](const json& s) { return field(s, "numBytesRead"); }},
      {"sluice_task_late_records_dropped_total", "counter",
       "Records the subtask's window operators dropped as late (numLateRecordsDropped).",
       [](const json& s) { return field(s, "numLateRecordsDropped"); }},
      {"sluice_task_up", "gauge",
       "1 while the subtask runs; 0 when finished, not deployed or on a lost task manager.",
       [](const json& s) { return json(s.value("status", "") == "RUNNING" ? 1 : 0); }},
  };
  return families;
}

const std::vector<family>& operator_families() {
  static const std::vector<family> families = {
      {"sluice_operator_records_in_total", "counter",
       "Records the chained operator took in (its numRecordsIn).",
       [](const json& op) { return field(op, "numRecordsIn"); }},
      {"sluice_operator_records_out_total", "counter",
       "Records the chained operator emitted (its numRecordsOut).",
       [](const json& op) { return field(op, "numRecordsOut"); }},
  };
  return families;
}

using label_list = std::vector<std::pair<const char*, std::string>>;

/// User metrics' families by name: their type and samples.
struct user_family {
  std::string type;
  std::string samples;
};

/// "sluice_user_" and `name` with every character other than [a-zA-Z0-9_] made '_'.
std::string user_metric_name(const std::string& name) {
  std::string out = "sluice_user_";
  for (char c : name)
    out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

/// Adds `value` to family `name` of `type` (a sample whose family has another type is left out).
void add_sample(std::map<std::string, user_family>& families, const std::string& name,
                const char* type, const std::string& label_text, const json& value) {
  auto& f = families[name];
  if (f.type.empty())
    f.type = type;
  if (f.type == type && !value.is_null())
    f.samples += name + label_text + " " + number(value) + "\n";
}

/// The samples of one user metric of an operator (see docs/observability.md).
void add_user_metric(std::map<std::string, user_family>& families, const json& m,
                     const label_list& kv) {
  const auto base = user_metric_name(m["name"].get<std::string>());
  const auto type = m["type"].get<std::string>();
  const auto text = labels(kv);
  if (type == "counter") {
    add_sample(families, base, "gauge", text, m["count"]);
  } else if (type == "gauge") {
    add_sample(families, base, "gauge", text, m["value"]);
  } else if (type == "meter") {
    add_sample(families, base + "_total", "counter", text, m["count"]);
    add_sample(families, base + "_per_second", "gauge", text, m.value("rate", json(nullptr)));
  } else {
    for (const auto& [q, key] : {std::pair<const char*, const char*>{"0.5", "p50"},
                                 {"0.75", "p75"}, {"0.9", "p90"}, {"0.95", "p95"},
                                 {"0.98", "p98"}, {"0.99", "p99"}, {"0.999", "p999"}}) {
      auto with_quantile = kv;
      with_quantile.emplace_back("quantile", q);
      add_sample(families, base, "summary", labels(with_quantile), m.value(key, json(nullptr)));
    }
    auto& f = families[base];
    if (f.type == "summary")
      f.samples += base + "_sum" + text + " " + number(m["sum"]) + "\n" + base + "_count" +
                   text + " " + number(m["count"]) + "\n";
  }
}

std::string user_families_text(const std::map<std::string, user_family>& families) {
  std::string out;
  for (const auto& [name, f] : families)
    if (!f.samples.empty())
      out += "# HELP " + name + " A user metric (metric_group).\n# TYPE " + name + " " + f.type +
             "\n" + f.samples;
  return out;
}

const std::vector<family>& job_families() {
  static const std::vector<family> families = {
      {"sluice_job_uptime_seconds", "gauge", "Time since the job manager started the job.",
       [](const json& d) { return seconds(d["duration"]); }},
      {"sluice_job_restarts_total", "counter", "Restarts of the job (numRestarts).",
       [](const json& d) { return d["numRestarts"]; }},
      {"sluice_job_checkpoints_completed_total", "counter", "Completed checkpoints and savepoints.",
       [](const json& d) { return d["checkpoints"]["counts"]["completed"]; }},
      {"sluice_job_checkpoints_failed_total", "counter", "Failed checkpoints and savepoints.",
       [](const json& d) { return d["checkpoints"]["counts"]["failed"]; }},
      {"sluice_job_checkpoints_in_progress", "gauge", "Checkpoints in progress.",
       [](const json& d) { return d["checkpoints"]["counts"]["in_progress"]; }},
      {"sluice_job_last_checkpoint_duration_seconds", "gauge",
       "End-to-end duration of the latest completed checkpoint.",
       [](const json& d) {
         const auto& c = d["checkpoints"]["latest"]["completed"];
         return c.is_null() ? c : seconds(c["end_to_end_duration"]);
       }},
      {"sluice_job_last_checkpoint_size_bytes", "gauge", "State size of the latest completed checkpoint.",
       [](const json& d) {
         const auto& c = d["checkpoints"]["latest"]["completed"];
         return c.is_null() ? c : c["state_size"];
       }},
      {"sluice_job_last_checkpoint_written_bytes", "gauge",
       "Bytes the latest completed checkpoint wrote (less than its state size when incremental).",
       [](const json& d) {
         const auto& c = d["checkpoints"]["latest"]["completed"];
         return c.is_null() ? c : c["checkpointed_size"];
       }},
  };
  return families;
}

const std::vector<family>& task_manager_families() {
  static const std::vector<family> families = {
      {"sluice_taskmanager_slots", "gauge", "Slots the task manager offers.",
       [](const json& t) { return t["slotsNumber"]; }},
      {"sluice_taskmanager_slots_free", "gauge", "Slots holding no subtask.",
       [](const json& t) { return t["freeSlots"]; }},
      {"sluice_taskmanager_up", "gauge", "1 while registered, 0 once lost.",
       [](const json& t) { return json(t["lost"].get<bool>() ? 0 : 1); }},
      {"sluice_taskmanager_resident_memory_bytes", "gauge", "Resident set size of its process.",
       [](const json& t) { return t.contains("metrics") ? t["metrics"]["rssBytes"] : json(); }},
      {"sluice_taskmanager_cpu_seconds_total", "counter", "CPU time of its process.",
       [](const json& t) {
         return t.contains("metrics") ? seconds(t["metrics"]["cpuTimeMs"]) : json();
       }},
      {"sluice_taskmanager_buffer_pool_kept_bytes", "gauge",
       "Batch buffers its buffer pool keeps for reuse.",
       [](const json& t) {
         return t.contains("metrics") ? t["metrics"]["bufferPoolKeptBytes"] : json();
       }},
      {"sluice_taskmanager_buffer_pool_max_bytes", "gauge", "The most its buffer pool keeps.",
       [](const json& t) {
         return t.contains("metrics") ? t["metrics"]["bufferPoolMaxBytes"] : json();
       }},
      {"sluice_taskmanager_rocksdb_block_cache_usage_bytes", "gauge",
       "rocksdb.block-cache-usage of the block cache its RocksDB instances share (with the "
       "memtables charged to it); absent without RocksDB.",
       [](const json& t) {
         return t.contains("metrics") ? field(t["metrics"], "rocksdbBlockCacheUsageBytes") : json();
       }},
      {"sluice_taskmanager_rocksdb_memtables_bytes", "gauge",
       "rocksdb.cur-size-all-mem-tables summed over its RocksDB instances; absent without RocksDB.",
       [](const json& t) {
         return t.contains("metrics") ? field(t["metrics"], "rocksdbMemTablesBytes") : json();
       }},
  };
  return families;
}

} // namespace

std::string escape_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"')
      out += '\\', out += c;
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string prometheus_text(const json& doc) {
  const auto job = doc["jid"].get<std::string>();
  std::vector<std::string> vertex_names;
  for (const auto& v : doc["plan"]["vertices"])
    vertex_names.push_back(v["name"].get<std::string>());
  std::vector<std::pair<std::string, const json*>> subtasks;
  for (const auto& s : doc["subtasks"]) {
    const auto vertex = s["vertex"].get<int>();
    subtasks.emplace_back(labels({{"job", job},
                                  {"vertex", std::to_string(vertex)},
                                  {"operator", vertex_names.at(static_cast<std::size_t>(vertex))},
                                  {"subtask", std::to_string(s["subtask"].get<int>())},
                                  {"task_manager", s["task_manager"].get<std::string>()}}),
                          &s);
  }
  std::vector<std::pair<std::string, const json*>> operators;
  std::map<std::string, user_family> user;
  for (const auto& s : doc["subtasks"]) {
    if (!s.contains("operators"))
      continue;
    for (const auto& op : s["operators"]) {
      const label_list kv{{"job", job},
                          {"vertex", std::to_string(s["vertex"].get<int>())},
                          {"operator", op["name"].get<std::string>()},
                          {"subtask", std::to_string(s["subtask"].get<int>())},
                          {"task_manager", s["task_manager"].get<std::string>()}};
      operators.emplace_back(labels(kv), &op);
      for (const auto& m : op["user"])
        add_user_metric(user, m, kv);
    }
  }
  std::vector<std::pair<std::string, const json*>> task_managers;
  for (const auto& t : doc["taskmanagers"])
    task_managers.emplace_back(labels({{"job", job}, {"task_manager", t["id"].get<std::string>()}}),
                               &t);
  std::string out;
  if (doc.contains("state")) {
    out = "# HELP sluice_job_info The job: its name and state.\n"
          "# TYPE sluice_job_info gauge\n"
          "sluice_job_info" +
          labels({{"job", job},
                  {"name", doc["name"].get<std::string>()},
                  {"state", doc["state"].get<std::string>()}}) +
          " 1\n";
    const std::vector<std::pair<std::string, const json*>> job_entry{{labels({{"job", job}}),
                                                                      &doc}};
    for (const auto& f : job_families())
      write_family(out, f, job_entry);
  }
  for (const auto& f : subtask_families())
    write_family(out, f, subtasks);
  for (const auto& f : operator_families())
    write_family(out, f, operators);
  out += user_families_text(user);
  for (const auto& f : task_manager_families())
    write_family(out, f, task_managers);
  return out;
}

} // namespace sluice::rest
