// Part 4 of bench_checkpoint: incremental checkpoints (bench_checkpoint_incremental.hpp).

#include "bench_checkpoint_incremental.hpp"

namespace checkpoint_bench {

namespace {

constexpr double incremental_ratio_target = 0.05;
constexpr double incremental_p99_target_ms = 1000;

/// Emits {i % keys, i} for i = 0, 1, ...: every key once, then `round_keys` more for each round
/// released (the next keys, round robin, each with a new value); idle in between; finishes once
/// released and drained, or at once when stopped.
class rounds_source final : public sluice::copyable_source<rounds_source, record> {
public:
  rounds_source(std::shared_ptr<fill_progress> progress, std::uint64_t round_keys)
      : progress_(std::move(progress)), round_keys_(round_keys) {}

  sluice::source_status poll(sluice::collector<record>& out, std::size_t max_records) override {
    if (progress_->stop.load())
      return sluice::source_status::finished;
    const auto end = progress_->keys + progress_->rounds.load() * round_keys_;
    for (std::size_t n = 0; n < max_records && next_ < end; ++n, ++next_)
      out.collect(record{static_cast<std::int64_t>(next_ % progress_->keys),
                         static_cast<std::int64_t>(next_)});
    if (next_ < end)
      return sluice::source_status::more;
    return progress_->release.load() ? sluice::source_status::finished
                                     : sluice::source_status::idle;
  }

private:
  std::shared_ptr<fill_progress> progress_;
  std::uint64_t round_keys_;
  std::uint64_t next_ = 0;
};

/// A keyed record with a value for the rolling reduce to keep.
using keyed_value = std::pair<std::int64_t, std::string>;

/// The record's key with a value of `value_bytes` random bytes seeded by its second field,
/// counting the keys written as write_value does.
struct make_value {
  std::shared_ptr<fill_progress> progress;
  std::size_t value_bytes;

  keyed_value operator()(const record& r) const {
    keyed_value out{r.first, std::string(value_bytes, '\0')};
    fill_value(out.second, static_cast<std::uint64_t>(r.second));
    if (progress->written.fetch_add(1) + 1 == progress->keys)
      progress->filled_ms.store(system_ms());
    return out;
  }
};

/// The job of `o.job` over the rounds of `source`.
void build_job(sluice::environment& env, rounds_source source,
               const std::shared_ptr<fill_progress>& progress, const incremental_options& o) {
  auto records = env.from_source(std::move(source), "keys");
  if (o.job == "state") {
    records.key_by([](const record& r) { return r.first; })
        .map(write_value(progress, o.value_bytes), "write value")
        .sink_to(sluice::discarding_sink<std::int64_t>{}, "discard");
    return;
  }
  if (o.job != "reduce")
    throw std::runtime_error("--incremental-job is '" + o.job + "', not state or reduce");
  records.map(make_value{progress, o.value_bytes}, "make value")
      .key_by([](const keyed_value& v) { return v.first; })
      .reduce([](keyed_value, const keyed_value& latest) { return latest; }, "latest value")
      .sink_to(sluice::discarding_sink<keyed_value>{}, "discard");
}

/// What one run (incremental or full) measured.
struct incremental_run {
  std::vector<double> durations_ms;
  std::vector<double> written_bytes;
  std::uint64_t state_bytes = 0;       ///< the last measured checkpoint's
  std::uint64_t first_written = 0;     ///< the first checkpoint of the full state
  double restore_ms = 0;               ///< the last measured checkpoint into a fresh backend
};

/// The time restoring every keyed handle of `m` into one fresh backend of the job's kind takes.
double restore_ms(const sluice::job_config& config, const fs::path& parent,
                  const sluice::checkpoint_metadata& m) {
  scratch_dir dir(parent, "restore");
  auto state = config.state;
  state.state_dir = dir.path().string();
  for (const auto& [uid, op] : m.operators) {
    std::vector<sluice::keyed_state_handle> handles;
    for (const auto& [index, s] : op.subtasks)
      if (s.keyed_state)
        handles.push_back(*s.keyed_state);
    if (handles.empty())
      continue;
    auto backend = sluice::make_keyed_state_backend(state, uid + " (restore)",
                                                    {0, op.max_parallelism - 1}, op.max_parallelism);
    return 1000 * bench::seconds_of([&] { backend->restore(handles); });
  }
  throw std::runtime_error("checkpoint " + std::to_string(m.checkpoint_id) + " holds no keyed state");
}

incremental_run run_rounds(const sluice::job_config& base, const fs::path& parent,
                           const incremental_options& o, bool incremental) {
  const std::uint64_t keys = (o.state_mb << 20) / o.value_bytes;
  const auto round_keys = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(static_cast<double>(keys) * o.update_percent / 100));
  scratch_dir dir(parent, incremental ? "incremental" : "full");
  auto config = job_config_for(base, o.interval_ms, dir.path());
  config.state.kind = o.backend;
  config.checkpointing.incremental = incremental;
  auto progress = std::make_shared<fill_progress>();
  progress->keys = keys;
  sluice::environment env(config);
  build_job(env, rounds_source(progress, round_keys), progress, o);

  checkpoint_log_capture log;
  const std::string what = incremental ? "incremental" : "full";
  // After each completed checkpoint of the full state, a round of updates; the source finishes
  // once the rounds measured completed.
  wait_watched(*env.execute_async("bench_checkpoint " + what), *progress, dir.path(),
               std::chrono::milliseconds(20), what, [&](std::size_t full) {
                 progress->rounds.store(full);
                 if (full > o.rounds)
                   progress->release.store(true);
               });

  const auto filled = progress->filled_ms.load();
  const auto logged = log.durations();
  incremental_run out;
  std::size_t seen = 0;
  const sluice::checkpoint_metadata* last = nullptr;
  const auto done = completed_checkpoints(dir.path());
  for (const auto& c : done) {
    if (c.trigger_ms < filled || seen++ > o.rounds)
      continue;
    if (seen == 1) {
      out.first_written = c.written_bytes;
      continue;
    }
    const auto it = logged.find(c.id);
    out.durations_ms.push_back(
        static_cast<double>(it != logged.end() ? it->second : c.written_ms - c.trigger_ms));
    out.written_bytes.push_back(static_cast<double>(c.written_bytes));
    out.state_bytes = c.size_bytes;
    last = &c.metadata;
  }
  if (!last)
    throw std::runtime_error(what + " job: no checkpoint after the first one of the full state");
  out.restore_ms = restore_ms(config, parent, *last);
  return out;
}

} // namespace

fields measure_incremental(const sluice::job_config& base, const fs::path& parent,
                           const incremental_options& o) {
  const auto inc = run_rounds(base, parent, o, true);
  const auto full = run_rounds(base, parent, o, false);
  const double state = static_cast<double>(inc.state_bytes);
  const double inc_bytes = mean(inc.written_bytes);
  const double full_bytes = mean(full.written_bytes);
  const double ratio = inc_bytes / state;
  const double p99 = percentile(inc.durations_ms, 99);
  const double full_p99 = percentile(full.durations_ms, 99);
  const bool ratio_met = ratio <= incremental_ratio_target;
  const bool p99_met = p99 <= incremental_p99_target_ms;
  std::printf("4. incremental checkpoints: %llu MiB of %s state (%zu-byte values, job %s), "
              "%.2f%% of the keys updated between checkpoints, interval %lld ms; %zu "
              "checkpoints after the first one of the full state\n",
              static_cast<unsigned long long>(o.state_mb), sluice::to_string(o.backend),
              o.value_bytes, o.job.c_str(), o.update_percent, static_cast<long long>(o.interval_ms),
              inc.written_bytes.size());
  std::printf("   %-12s %14s %14s %14s %10s %10s %12s\n", "", "written MiB", "median MiB",
              "first MiB", "p99 ms", "max ms", "restore ms");
  for (const auto* r : {&inc, &full})
    std::printf("   %-12s %14.2f %14.2f %14.1f %10.0f %10.0f %12.0f\n",
                r == &inc ? "incremental" : "full", mean(r->written_bytes) / 1048576.0,
                median(r->written_bytes) / 1048576.0, r->first_written / 1048576.0,
                percentile(r->durations_ms, 99),
                *std::max_element(r->durations_ms.begin(), r->durations_ms.end()), r->restore_ms);
  std::printf("   full state %.1f MiB; written per incremental checkpoint / full state: %.4f "
              "(target <= %.2f: %s), per full checkpoint: %.4f; p99 %.0f ms (target <= %.0f "
              "ms: %s)\n",
              state / 1048576.0, ratio, incremental_ratio_target, ratio_met ? "met" : "missed",
              full_bytes / state, p99, incremental_p99_target_ms, p99_met ? "met" : "missed");
  return {{"full_state_bytes", state},
          {"incremental_bytes_per_checkpoint", inc_bytes},
          {"incremental_bytes_per_checkpoint_median", median(inc.written_bytes)},
          {"full_bytes_per_checkpoint", full_bytes},
          {"full_ratio", full_bytes / state},
          {"incremental_ratio", ratio},
          {"incremental_ratio_target_met", ratio_met ? 1 : 0},
          {"checkpoint_p99_ms", p99},
          {"checkpoint_p99_target_met", p99_met ? 1 : 0},
          {"full_checkpoint_p99_ms", full_p99},
          {"incremental_first_checkpoint_bytes", static_cast<double>(inc.first_written)},
          {"incremental_restore_ms", inc.restore_ms},
          {"full_restore_ms", full.restore_ms},
          {"incremental_checkpoints_measured", static_cast<double>(inc.written_bytes.size())}};
}

} // namespace checkpoint_bench
