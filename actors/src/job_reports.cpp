#include "job_reports.hpp"

#include "job_queries.hpp"
#include "operator_metrics_json.hpp"

#include "sluice/actors/checkpoint_ids.hpp"
#include "sluice/operators/time/watermark.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <memory>

namespace sluice {

namespace {

using nlohmann::json;

constexpr auto no_watermark = std::numeric_limits<std::int64_t>::min();

/// Stores task manager `name`'s report: its own samples, and those of the subtasks the latest
/// deployment placed on it.
void store_report(const job_view& view, job_metrics_view& metrics, const std::string& name,
                  task_manager_report report, std::int64_t now_ms) {
  const auto& plan = *view.setup.plan;
  const auto& locations = view.deployment.locations;
  for (auto& m : report.subtasks) {
    if (m.vertex < 0 || static_cast<std::size_t>(m.vertex) >= plan.vertices().size())
      continue;
    const auto i = flat_subtask_index(plan, m.vertex, m.subtask);
    if (i >= locations.size() || locations[i].task_manager != name)
      continue;
    metrics.subtasks[i].add(std::move(m), now_ms);
  }
  report.subtasks.clear();
  metrics.task_managers[name].add(std::move(report), now_ms);
}

/// A job manager process (no embedded task manager, whose subtasks' counters the job's status
/// holds already): hands the latest reported counters of every subtask to the job's status,
/// where its progress bar reads them.
void publish_reported(const job_view& view) {
  const auto& setup = view.setup;
  if (setup.local_task_manager || !setup.status)
    return;
  std::vector<subtask_metrics> reported;
  for (const auto& samples : view.metrics.subtasks)
    if (samples.latest_ms != 0)
      reported.push_back(samples.latest);
  setup.status->set_reported(std::move(reported));
}

json watermark_json(std::int64_t wm) {
  return wm == no_watermark ? json(nullptr) : json(wm);
}

json subtask_json(const job_view& view, const plan_vertex& v, int index, std::size_t flat,
                  std::int64_t now_ms) {
  const auto& st = view.deployment;
  const auto& samples = view.metrics.subtasks[flat];
  const auto& m = samples.latest;
  const auto& where = st.locations[flat];
  std::string status = "CREATED";
  if (st.deployed_once) {
    if (view.metrics.lost_task_managers.count(where.task_manager))
      status = "LOST";
    else if (st.finished[flat] || m.finished)
      status = "FINISHED";
    else if (st.restarting)
      status = "CANCELING";
    else if (st.subtasks[flat])
      status = "RUNNING";
    else
      status = "DEPLOYING";
  }
  const auto lag = [&](std::int64_t wm) {
    return wm == no_watermark || wm == max_watermark ? json(nullptr) : json(now_ms - wm);
  };
  const auto per_s = [&](auto field) { return samples.rate(field); };
  const double busy =
      std::min(1000.0, per_s([](const subtask_metrics& x) { return x.busy_ns; }) / 1e6);
  const double backpressured =
      std::min(1000.0, per_s([](const subtask_metrics& x) { return x.backpressured_ns; }) / 1e6);
  const bool has_rates = samples.previous_ms != 0 && status == "RUNNING";
  auto out = subtask_counters_json(m);
  add_meter_rates(out["operators"], samples);
  out.update(json{
      {"vertex", v.id},
      {"subtask", index},
      {"task_manager", st.deployed_once ? where.task_manager : ""},
      {"slot", where.slot},
      {"status", status},
      {"reported", samples.latest_ms != 0},
      {"sample_time", samples.latest_ms},
      {"numRecordsInPerSecond", per_s([](const subtask_metrics& x) { return x.records_in; })},
      {"numRecordsOutPerSecond", per_s([](const subtask_metrics& x) { return x.records_out; })},
      {"numBytesInPerSecond", per_s([](const subtask_metrics& x) { return x.bytes_in; })},
      {"numBytesOutPerSecond", per_s([](const subtask_metrics& x) { return x.bytes_out; })},
      {"busyTimeMsPerSecond", busy},
      {"backPressuredTimeMsPerSecond", backpressured},
      {"idleTimeMsPerSecond", has_rates ? std::max(0.0, 1000.0 - busy - backpressured) : 0.0},
      {"watermarkLagMs", lag(m.output_watermark)},
  });
  return out;
}

json plan_json(const execution_plan& plan) {
  json vertices = json::array();
  for (const auto& v : plan.vertices()) {
    json operators = json::array();
    for (int node : v.nodes) {
      const auto& n = plan.graph().node(node);
      operators.push_back({{"id", node}, {"name", n.name}, {"uid", operator_uid(n)}});
    }
    vertices.push_back({{"id", v.id},
                        {"name", v.name},
                        {"parallelism", v.parallelism},
                        {"is_source", v.is_source},
                        {"operators", std::move(operators)}});
  }
  json edges = json::array();
  for (const auto& e : plan.edges())
    edges.push_back({{"source", e.source_vertex},
                     {"target", e.target_vertex},
                     {"ship_strategy", to_string(e.kind)}});
  return json{{"vertices", std::move(vertices)}, {"edges", std::move(edges)}};
}

json checkpoint_json(const checkpoint_stats& c, std::int64_t now_ms) {
  static const char* const states[] = {"IN_PROGRESS", "COMPLETED", "FAILED"};
  std::int64_t in_flight = 0;
  for (const auto& a : c.acks)
    in_flight += static_cast<std::int64_t>(a.measured.in_flight_bytes);
  return json{{"id", c.checkpoint_id},
              {"status", states[static_cast<int>(c.status)]},
              {"is_savepoint", c.kind == snapshot_kind::savepoint},
              {"trigger_timestamp", c.trigger_ms},
              {"latest_ack_timestamp", c.end_ms.value_or(0)},
              {"end_to_end_duration", c.duration_ms(now_ms)},
              {"state_size", c.state_bytes()},
              {"checkpointed_size", c.written_bytes()},
              {"alignment_duration", c.max_alignment_ms()},
              {"start_delay", c.max_start_delay_ms()},
              {"processed_in_flight_data", in_flight},
              {"num_subtasks", c.expected_acks},
              {"num_acknowledged_subtasks", c.acks.size()},
              {"failure_message", c.failure}};
}

json checkpoints_json(const job_view& view, std::int64_t now_ms) {
  json history = json::array();
  json latest_completed = nullptr;
  json latest_failed = nullptr;
  std::int64_t in_progress = 0;
  const auto& ck = view.checkpoints;
  if (ck.core) {
    const auto& core = *ck.core;
    for (auto id : core.pending_ids()) {
      if (const auto* p = core.pending_stats(id))
        history.push_back(checkpoint_json(*p, now_ms));
      ++in_progress;
    }
    const auto& entries = core.history().entries();
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
      auto c = checkpoint_json(*it, now_ms);
      if (it->status == checkpoint_status::completed && latest_completed.is_null())
        latest_completed = c;
      if (it->status == checkpoint_status::failed && latest_failed.is_null())
        latest_failed = c;
      history.push_back(std::move(c));
    }
  }
  const auto& restored_from = view.deployment.restored_from;
  return json{{"counts",
               {{"completed", ck.completed},
                {"failed", ck.failed},
                {"in_progress", in_progress},
                {"total", ck.completed + ck.failed + in_progress},
                {"restored", restored_from.empty() ? 0 : 1}}},
              {"latest",
               {{"completed", std::move(latest_completed)},
                {"failed", std::move(latest_failed)},
                {"restored", restored_from.empty()
                                 ? json(nullptr)
                                 : json{{"external_path", restored_from}}}}},
              {"history", std::move(history)}};
}

json task_managers_json(const job_view& view) {
  const auto& st = view.deployment;
  json out = json::array();
  auto add = [&](const std::string& name, const std::string& address, int slots, bool ready,
                 bool lost) {
    std::set<int> used;
    for (const auto& l : st.locations)
      if (st.deployed_once && l.task_manager == name)
        used.insert(l.slot);
    json tm{{"id", name},   {"path", address},          {"slotsNumber", slots},
            {"freeSlots", lost ? 0 : slots - static_cast<int>(used.size())},
            {"ready", ready}, {"lost", lost}};
    auto it = view.metrics.task_managers.find(name);
    if (it != view.metrics.task_managers.end()) {
      const auto& r = it->second.latest;
      tm["lastReportTime"] = it->second.latest_ms;
      tm["metrics"] = task_manager_metrics_json(r);
      tm["metrics"]["cpuLoad"] =
          it->second.rate([](const task_manager_report& x) { return x.cpu_ms; }) / 1000;
    }
    out.push_back(std::move(tm));
  };
  for (const auto& tm : view.task_managers)
    add(tm.name, tm.peer_address, tm.slots, tm.ready, false);
  for (const auto& name : view.metrics.lost_task_managers)
    add(name, "", 0, false, true);
  return out;
}

} // namespace

json subtask_counters_json(const subtask_metrics& m) {
  std::uint64_t late = 0;
  for (const auto& op : m.operators)
    late += op.late_records_dropped;
  return json{
      {"vertex", m.vertex},
      {"subtask", m.subtask},
      {"start_time", m.started_ms},
      {"numRecordsIn", m.records_in},
      {"numRecordsOut", m.records_out},
      {"numBytesIn", m.bytes_in},
      {"numBytesOut", m.bytes_out},
      {"accumulatedBusyTimeMs", m.busy_ns / 1000000},
      {"accumulatedBackPressuredTimeMs", m.backpressured_ns / 1000000},
      {"currentInputWatermark", watermark_json(m.input_watermark)},
      {"currentOutputWatermark", watermark_json(m.output_watermark)},
      {"numBatchesIn", m.batches_in},
      {"numBatchesOut", m.batches_out},
      {"inputCreditsOutstanding", m.credits_outstanding},
      {"outputQueueLength", m.batches_waiting},
      {"maxInputBatchesInFlight", m.max_in_flight},
      {"pendingRecords", m.pending_records >= 0 ? json(m.pending_records) : json(nullptr)},
      {"pendingBytes", m.pending_bytes >= 0 ? json(m.pending_bytes) : json(nullptr)},
      {"inputBytes", m.input_bytes >= 0 ? json(m.input_bytes) : json(nullptr)},
      {"numBytesRead", m.bytes_read >= 0 ? json(m.bytes_read) : json(nullptr)},
      {"numLateRecordsDropped", late},
      {"operators", operators_json(m)},
  };
}

json task_manager_metrics_json(const task_manager_report& r) {
  json out{{"rssBytes", r.rss_bytes},
           {"cpuTimeMs", r.cpu_ms},
           {"bufferPoolKeptBytes", r.pool_kept_bytes},
           {"bufferPoolMaxBytes", r.pool_max_bytes}};
  if (r.rocksdb) {
    out["rocksdbBlockCacheUsageBytes"] = r.rocksdb_block_cache_bytes;
    out["rocksdbMemTablesBytes"] = r.rocksdb_memtable_bytes;
  }
  return out;
}

void on_metrics_tick(caf::event_based_actor& self, const job_view& view,
                     job_metrics_view& metrics) {
  const auto interval = std::chrono::milliseconds(view.setup.config->metrics_interval_ms);
  for (const auto& tm : view.task_managers) {
    if (!tm.ready)
      continue;
    const auto name = tm.name;
    // `view` refers to the job manager's state, which outlives its requests.
    self.request(tm.actor, interval, report_atom::value)
        .then(
            [=, &metrics](task_manager_report& r) {
              store_report(view, metrics, name, std::move(r), wall_clock_ms());
              publish_reported(view);
            },
            [](const caf::error&) {});
  }
  self.delayed_send(&self, interval, metrics_tick_atom::value);
}

std::string job_state_document(const job_view& view) {
  const auto& setup = view.setup;
  const auto& st = view.deployment;
  const auto& plan = *setup.plan;
  const auto now = wall_clock_ms();
  json subtasks = json::array();
  for (const auto& v : plan.vertices())
    for (int i = 0; i < v.parallelism; ++i)
      subtasks.push_back(subtask_json(view, v, i, flat_subtask_index(plan, v.id, i), now));
  const auto& metrics = view.metrics;
  json failures = json::array();
  for (const auto& f : metrics.failures) {
    json e{{"timestamp", f.time_ms}, {"exception", f.cause}};
    if (f.vertex >= 0) {
      e["vertex"] = f.vertex;
      e["subtask"] = f.subtask;
      e["taskName"] = plan.vertices().at(static_cast<std::size_t>(f.vertex)).name;
    }
    failures.push_back(std::move(e));
  }
  json doc{{"jid", job_id_of(setup.job_name)},
           {"name", setup.job_name},
           {"state", job_state(view)},
           {"start-time", metrics.start_time_ms},
           {"now", now},
           {"duration", now - metrics.start_time_ms},
           {"numRestarts", st.attempt},
           {"metrics_interval_ms", setup.config->metrics_interval_ms},
           {"plan", plan_json(plan)},
           {"subtasks", std::move(subtasks)},
           {"taskmanagers", task_managers_json(view)},
           {"checkpoints", checkpoints_json(view, now)},
           {"exceptions", std::move(failures)}};
  return doc.dump();
}

} // namespace sluice
