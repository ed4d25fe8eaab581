// bench_checkpoint: what checkpoints cost and how fast a job recovers (issue 5, section 7), each
// figure beside a baseline measured in the same run. All jobs run at parallelism 1.
//
// 1. Throughput: bench_keyed_sum's pipeline (generator -> map -> key_by -> rolling sum ->
//    discarding sink over 16-byte records) with a checkpoint every second (--throughput-interval-ms) vs without
//    checkpoints, the same records; runs interleaved, best of --repeat each; loss = 1 -
//    with/without; completed checkpoints counted in the checkpoint directory.
// 2. Checkpoints of --state-mb MiB of RocksDB state: a keyed map writes a value state of
//    --value-bytes random bytes once per key, then the source stays open (emitting nothing)
//    until --state-checkpoints checkpoints of the full state completed (interval 2 s). Size from
//    each checkpoint's _metadata (state_size_bytes); duration from the runtime's log line
//    "checkpoint N completed in D ms" (trigger to _metadata written), or, if a line is missing,
//    the _metadata file's modification time minus the trigger timestamp. Baseline: the same
//    keys and values written to a raw RocksDB DB and as many RocksDB checkpoints of it (the
//    first flushes the memtables; SST files are hard-linked), as the backend takes them.
// 3. Recovery: the keyed-sum job throttled to --recovery-rate records/s with a checkpoint every
//    200 ms; its map throws once at record --fail-at; restart strategy fixed-delay, 1 attempt,
//    0 ms. Recovery time: the throw to the first record the map processes after the restart
//    (both stamped in shared atomics). Baseline: the job's fresh start (execute() to the map's
//    first record) in the same run.
// 4. Incremental checkpoints: --state-mb MiB of RocksDB state as in 2., then --update-percent
//    of the keys (the next ones, round robin) get new values after each completed checkpoint,
//    with a checkpoint every --incremental-interval-ms; --incremental-rounds checkpoints after
//    the first one of the full state are measured, with incremental checkpoints and then the
//    same job with full ones. Bytes written per checkpoint from each _metadata (written_bytes:
//    the files it did not share with an earlier one), durations from the log lines as in 2.;
//    restore time: the last measured checkpoint restored into a fresh RocksDB backend.
//    --incremental-backend heap measures the heap backend instead (restored into the heap);
//    --incremental-job reduce keeps the state in a rolling reduce (its keyed_table: on the
//    heap a flat table of the operator's own) instead of a map writing a value state.
// 5. Local recovery (--parts local-recovery, not by default): --state-mb MiB of RocksDB state
//    written into one backend, an incremental checkpoint of it into a checkpoint directory
//    under the parent (--checkpoint-dir, else the temp dir) and the local copy a task manager
//    keeps with --local-recovery (local_snapshot_store, under the same parent); then, --repeat
//    times in turn, the checkpoint restored into a fresh backend from the checkpoint directory
//    (its shared files checked, CRC-32 read, and linked) and from the local copy (matched
//    against the checkpoint, sizes checked, linked); the fastest of each, page cache warm.
//
//   bench_checkpoint [--records N] [--keys K] [--repeat R] [--throughput-interval-ms MS]
//                    [--state-mb MB] [--value-bytes B]
//                    [--state-checkpoints N] [--recovery-records N] [--fail-at I]
//                    [--recovery-rate R] [--update-percent P] [--incremental-rounds N]
//                    [--incremental-interval-ms MS] [--incremental-backend rocksdb|heap]
//                    [--incremental-job state|reduce]
//                    [--parts throughput,state,recovery,incremental,local-recovery]

#include "bench_checkpoint_incremental.hpp"
#include "bench_checkpoint_local.hpp"
#include "checkpoint_bench_jobs.hpp"
#include "raw_rocksdb.hpp"

namespace {

using namespace checkpoint_bench;

constexpr std::int64_t state_interval_ms = 2000;
constexpr std::int64_t recovery_interval_ms = 200;
constexpr double loss_target = 0.05;
constexpr double recovery_target_ms = 1000;

// -- 1. throughput with and without checkpoints ------------------------------------------------

struct throughput_options {
  std::uint64_t records;
  std::uint64_t keys;
  int repeat;
  std::int64_t interval_ms;
};

fields measure_throughput(const sluice::job_config& base, const fs::path& parent,
                          const throughput_options& o) {
  std::vector<std::size_t> counts; // completed checkpoints per run with checkpoints
  std::uint64_t largest = 0;       // state_size_bytes of the largest checkpoint
  auto run = [&](bool checkpointing) {
    scratch_dir dir(parent, "throughput");
    sluice::environment env(
        job_config_for(base, checkpointing ? o.interval_ms : 0, dir.path()));
    build_keyed_sum(env, o.records, o.keys, [](record r) { return record{r.first, r.second + 1}; });
    const double secs = bench::seconds_of([&] {
      run_job(env, checkpointing ? "keyed sum with checkpoints" : "keyed sum");
    });
    if (checkpointing) {
      const auto done = completed_checkpoints(dir.path());
      counts.push_back(done.size());
      for (const auto& c : done)
        largest = std::max(largest, c.size_bytes);
    }
    return static_cast<double>(o.records) / secs;
  };
  const auto best =
      bench::best_of_interleaved(o.repeat, {[&] { return run(false); }, [&] { return run(true); }});
  const double without = best[0];
  const double with = best[1];
  const double loss = 1 - with / without;
  const auto fewest = *std::min_element(counts.begin(), counts.end());
  std::string per_run;
  for (auto c : counts)
    per_run += (per_run.empty() ? "" : ", ") + std::to_string(c);
  std::printf("1. throughput, keyed sum, %llu records, %llu keys, best of %d\n",
              static_cast<unsigned long long>(o.records), static_cast<unsigned long long>(o.keys),
              o.repeat);
  const auto every = "checkpoints every " + std::to_string(o.interval_ms) + " ms:";
  std::printf("   %-32s %12.0f records/s\n", "without checkpoints:", without);
  std::printf("   %-32s %12.0f records/s  (%.3f of without)\n", every.c_str(), with,
              with / without);
  std::printf("   loss: %.1f%% (target <= %.0f%%: %s); checkpoints completed per run: %s "
              "(chk-*/_metadata, with the final one before the bounded job ends)\n",
              100 * loss, 100 * loss_target, loss <= loss_target ? "met" : "missed",
              per_run.c_str());
  std::printf("   largest checkpoint: %.2f MiB (state_size_bytes)\n", largest / 1048576.0);
  return {{"records_per_s_without_checkpoints", without},
          {"records_per_s_with_checkpoints", with},
          {"throughput_ratio", with / without},
          {"throughput_loss", loss},
          {"throughput_loss_target_met", loss <= loss_target ? 1 : 0},
          {"throughput_checkpoints_completed", static_cast<double>(fewest)},
          {"throughput_checkpoint_bytes_max", static_cast<double>(largest)}};
}

// -- 2. checkpoints of large RocksDB state -----------------------------------------------------

struct state_options {
  std::uint64_t state_mb;
  std::size_t value_bytes;
  std::size_t checkpoints; ///< of the full state, before the source finishes
};

struct raw_figures {
  double fill_s = 0;
  double first_ms = 0;  ///< the first checkpoint after writing (flushes the memtables)
  double median_ms = 0; ///< of `checkpoints` in a row
};

/// The same values written to a raw RocksDB DB, then `checkpoints` RocksDB checkpoints of it.
raw_figures raw_checkpoints(const sluice::job_config& config, const fs::path& parent,
                            std::uint64_t keys, std::size_t value_bytes, std::size_t checkpoints) {
  scratch_dir dir(parent, "raw-rocksdb");
  bench::raw_rocksdb db((dir.path() / "db").string(), config.state.memory_mb);
  std::string value(value_bytes, '\0');
  raw_figures out;
  out.fill_s = bench::seconds_of([&] {
    for (std::uint64_t k = 0; k < keys; ++k) {
      fill_value(value, k);
      db.put(static_cast<std::int64_t>(k), value);
    }
  });
  std::vector<double> ms;
  for (std::size_t i = 0; i < checkpoints; ++i)
    ms.push_back(1000 * bench::seconds_of([&] {
                   db.checkpoint((dir.path() / ("chk-" + std::to_string(i))).string());
                 }));
  out.first_ms = ms.front();
  out.median_ms = median(ms);
  return out;
}

fields measure_state(const sluice::job_config& base, const fs::path& parent,
                     const state_options& o) {
  const std::uint64_t keys = (o.state_mb << 20) / o.value_bytes;
  scratch_dir dir(parent, "state");
  auto config = job_config_for(base, state_interval_ms, dir.path());
  config.state.kind = sluice::state_backend_kind::rocksdb;
  auto progress = std::make_shared<fill_progress>();
  progress->keys = keys;
  // Full checkpoints, compared with raw RocksDB checkpoints (hard links) below.
  config.checkpointing.incremental = false;
  sluice::environment env(config);
  env.from_source(held_open_source(sluice::make_generator_source(
                                       [](std::uint64_t i) {
                                         const auto k = static_cast<std::int64_t>(i);
                                         return record{k, k};
                                       },
                                       keys),
                                   progress),
                  "keys")
      .key_by([](const record& r) { return r.first; })
      .map(write_value(progress, o.value_bytes), "write value")
      .sink_to(sluice::discarding_sink<std::int64_t>{}, "discard");

  checkpoint_log_capture log;
  const auto started_ms = system_ms();
  // The source is released once enough checkpoints of the full state completed.
  wait_watched(*env.execute_async("bench_checkpoint state"), *progress, dir.path(),
               std::chrono::milliseconds(100), "state", [&](std::size_t full) {
                 if (full >= o.checkpoints) {
                   progress->released_ms.store(system_ms());
                   progress->release.store(true);
                 }
               });
  if (!progress->release.load())
    throw std::runtime_error("state job ended before its state was checkpointed");

  const auto filled = progress->filled_ms.load();
  const auto released = progress->released_ms.load();
  const auto logged = log.durations();
  std::vector<double> durations; // of the periodic checkpoints of the full state
  double writing_max = 0;         // of those taken while the state was being written
  std::uint64_t size = 0;
  bool all_logged = true;
  std::printf("2. checkpoints of RocksDB state: %llu keys x %zu-byte values (%llu MiB), "
              "interval %lld ms; written in %.1f s\n",
              static_cast<unsigned long long>(keys), o.value_bytes,
              static_cast<unsigned long long>(o.state_mb),
              static_cast<long long>(state_interval_ms), (filled - started_ms) / 1000.0);
  std::printf("   %5s %10s %10s %12s %14s\n", "chk", "trigger s", "state MiB", "duration ms",
              "mtime-trigger");
  for (const auto& c : completed_checkpoints(dir.path())) {
    const auto it = logged.find(c.id);
    const bool full = c.trigger_ms >= filled && c.trigger_ms < released;
    const auto duration = it != logged.end() ? it->second : c.written_ms - c.trigger_ms;
    std::printf("   %5lld %10.1f %10.1f %12lld %14lld  %s%s\n", static_cast<long long>(c.id),
                (c.trigger_ms - started_ms) / 1000.0, c.size_bytes / 1048576.0,
                static_cast<long long>(duration),
                static_cast<long long>(c.written_ms - c.trigger_ms),
                c.trigger_ms < filled ? "while writing"
                : full                ? "full state"
                                      : "final (source finished), not counted",
                it != logged.end() ? "" : " (no log line)");
    if (c.trigger_ms < filled)
      writing_max = std::max(writing_max, static_cast<double>(duration));
    if (!full)
      continue;
    all_logged = all_logged && it != logged.end();
    durations.push_back(static_cast<double>(duration));
    size = std::max(size, c.size_bytes);
  }
  if (durations.empty())
    throw std::runtime_error("state job: no periodic checkpoint of the full state completed");
  const auto raw = raw_checkpoints(config, parent, keys, o.value_bytes, durations.size());
  const double first = durations.front();
  const double mid = median(durations);
  const double max = *std::max_element(durations.begin(), durations.end());
  std::printf("   durations: %s\n",
              all_logged ? "the runtime's log lines (checkpoint N completed in D ms: trigger to "
                           "_metadata written)"
                         : "the runtime's log lines, where missing _metadata mtime - trigger");
  std::printf("   full state: %.1f MiB (state_size_bytes); %zu checkpoints: first %.0f ms, "
              "median %.0f ms, max %.0f ms\n",
              size / 1048576.0, durations.size(), first, mid, max);
  std::printf("   while the state was written: max %.0f ms\n", writing_max);
  std::printf("   raw RocksDB, same values: written in %.1f s; %zu checkpoints: first %.0f ms "
              "(memtables flushed), median %.0f ms\n",
              raw.fill_s, durations.size(), raw.first_ms, raw.median_ms);
  std::printf("   engine / raw: first %.2fx, median %.2fx\n", first / raw.first_ms,
              mid / raw.median_ms);
  return {{"state_size_bytes", static_cast<double>(size)},
          {"state_checkpoints", static_cast<double>(durations.size())},
          {"state_write_s", (filled - started_ms) / 1000.0},
          {"checkpoint_ms_first", first},
          {"checkpoint_ms_median", mid},
          {"checkpoint_ms_max", max},
          {"checkpoint_ms_max_while_writing", writing_max},
          {"checkpoint_duration_from_log", all_logged ? 1 : 0},
          {"raw_rocksdb_write_s", raw.fill_s},
          {"raw_rocksdb_checkpoint_ms_first", raw.first_ms},
          {"raw_rocksdb_checkpoint_ms_median", raw.median_ms},
          {"checkpoint_ratio_first", first / raw.first_ms},
          {"checkpoint_ratio_median", mid / raw.median_ms}};
}

// -- 3. recovery -------------------------------------------------------------------------------

/// Shared by every deployment of the failing map and the benchmark's thread.
struct recovery_probe {
  std::int64_t fail_at = 0;
  std::atomic<int> deployments{0};
  std::atomic<bool> thrown{false};
  std::atomic<int> thrown_in{0};             ///< the deployment that threw
  std::atomic<std::int64_t> first_ns{0};     ///< the first record of the first deployment
  std::atomic<std::int64_t> thrown_ns{0};    ///< the throw
  std::atomic<std::int64_t> recovered_ns{0}; ///< the first record after the restart
  std::atomic<std::int64_t> thrown_ms{0};    ///< the throw, system clock
};

/// bench_keyed_sum's map, throwing once at record `fail_at`.
struct failing_map {
  std::shared_ptr<recovery_probe> probe;
  int deployment = 0;

  void open(sluice::runtime_context&) { deployment = ++probe->deployments; }
  record operator()(record r) {
    auto& p = *probe;
    if (!p.thrown.load(std::memory_order_relaxed)) {
      if (p.first_ns.load(std::memory_order_relaxed) == 0)
        p.first_ns.store(steady_ns());
      if (r.second == p.fail_at) {
        p.thrown_in.store(deployment);
        p.thrown_ms.store(system_ms());
        p.thrown_ns.store(steady_ns());
        p.thrown.store(true);
        throw std::runtime_error("injected failure at record " + std::to_string(r.second));
      }
    } else if (p.recovered_ns.load(std::memory_order_relaxed) == 0 &&
               deployment > p.thrown_in.load()) {
      p.recovered_ns.store(steady_ns());
    }
    return {r.first, r.second + 1};
  }
};

struct recovery_options {
  std::uint64_t records;
  std::uint64_t keys;
  std::int64_t fail_at;
  double rate;
};

fields measure_recovery(const sluice::job_config& base, const fs::path& parent,
                        const recovery_options& o) {
  scratch_dir dir(parent, "recovery");
  auto config = job_config_for(base, recovery_interval_ms, dir.path());
  config.source_rate = o.rate;
  config.restart.kind = sluice::restart_strategy_kind::fixed_delay;
  config.restart.attempts = 1;
  config.restart.delay_ms = 0;
  auto probe = std::make_shared<recovery_probe>();
  probe->fail_at = o.fail_at;
  sluice::environment env(config);
  build_keyed_sum(env, o.records, o.keys, failing_map{probe});
  const auto started_ns = steady_ns();
  run_job(env, "recovery");
  if (!probe->thrown.load())
    throw std::runtime_error("recovery job: the map never reached record " +
                             std::to_string(o.fail_at) + " (--fail-at beyond --recovery-records?)");
  if (probe->recovered_ns.load() == 0)
    throw std::runtime_error("recovery job: no record was processed after the restart");
  const double recovery_ms = (probe->recovered_ns.load() - probe->thrown_ns.load()) / 1e6;
  const double start_ms = (probe->first_ns.load() - started_ns) / 1e6;
  std::size_t before = 0;
  for (const auto& c : completed_checkpoints(dir.path()))
    before += c.written_ms <= probe->thrown_ms.load() ? 1 : 0;
  const bool met = recovery_ms < recovery_target_ms;
  std::printf("3. recovery, keyed sum at %.0f records/s, checkpoint every %lld ms, map throws at "
              "record %lld; fixed-delay restart, 0 ms\n",
              o.rate, static_cast<long long>(recovery_interval_ms),
              static_cast<long long>(o.fail_at));
  std::printf("   checkpoints completed before the failure: %zu%s\n", before,
              before ? "" : " (restarted from scratch)");
  std::printf("   throw -> first record after the restart: %.1f ms (target < %.0f ms: %s)\n",
              recovery_ms, recovery_target_ms, met ? "met" : "missed");
  std::printf("   fresh start (execute -> first record):   %.1f ms (recovery: %.2fx)\n", start_ms,
              recovery_ms / start_ms);
  return {{"recovery_ms", recovery_ms},
          {"recovery_target_met", met ? 1 : 0},
          {"fresh_start_ms", start_ms},
          {"recovery_ratio_to_start", recovery_ms / start_ms},
          {"checkpoints_before_failure", static_cast<double>(before)}};
}

/// Whether `part` is in the comma-separated `parts`.
bool selected(const std::string& parts, const std::string& part) {
  return ("," + parts + ",").find("," + part + ",") != std::string::npos;
}

} // namespace

int main(int argc, char** argv) {
  sluice::environment env{
      argc, argv,
      {{"records", "records per throughput run", std::string("200000000"), false},
       {"keys", "distinct keys of the keyed-sum jobs", std::string("100000"), false},
       bench::repeat_flag("3"),
       {"throughput-interval-ms", "checkpoint interval of the throughput runs",
        std::string("1000"), false},
       {"state-mb", "MiB of RocksDB state to checkpoint", std::string("1024"), false},
       {"value-bytes", "bytes of the value state per key", std::string("1024"), false},
       {"state-checkpoints", "checkpoints of the full state to measure", std::string("3"), false},
       {"recovery-records", "records of the recovery job", std::string("3000000"), false},
       {"fail-at", "the record at which the recovery job's map throws", std::string("2000000"),
        false},
       {"recovery-rate", "records/s of the recovery job's source", std::string("1000000"), false},
       {"update-percent", "incremental: % of the keys updated between checkpoints",
        std::string("1"), false},
       {"incremental-rounds", "incremental: checkpoints measured", std::string("30"), false},
       {"incremental-interval-ms", "incremental: checkpoint interval", std::string("1000"), false},
       {"incremental-backend", "incremental: the state backend, rocksdb or heap",
        std::string("rocksdb"), false},
       {"incremental-job", "incremental: the job keeping the state, state or reduce",
        std::string("state"), false},
       {"parts", "which measurements: throughput,state,recovery,incremental,local-recovery",
        std::string("throughput,state,recovery"), false},
       {"json", "print the figures as JSON on the last line", {}, true}}};
  try {
    const auto& config = env.config();
    const fs::path parent = config.checkpointing.checkpoint_dir.empty()
                                ? fs::temp_directory_path()
                                : fs::path(config.checkpointing.checkpoint_dir);
    const auto parts = env.flag_or("parts", "throughput,state,recovery");
    const auto keys = std::stoull(env.flag_or("keys", "100000"));
    const auto state_mb = std::stoull(env.flag_or("state-mb", "1024"));
    const auto value_bytes =
        std::max<std::size_t>(8, std::stoull(env.flag_or("value-bytes", "1024")));
    fields figures;
    auto add = [&](fields more) { figures.insert(figures.end(), more.begin(), more.end()); };
    if (selected(parts, "throughput"))
      add(measure_throughput(config, parent,
                             {std::stoull(env.flag_or("records", "200000000")), keys,
                              bench::repeat_of(env),
                              std::stoll(env.flag_or("throughput-interval-ms", "1000"))}));
    if (selected(parts, "state"))
      add(measure_state(config, parent,
                        {state_mb, value_bytes,
                         std::max<std::size_t>(1, std::stoull(env.flag_or("state-checkpoints", "3")))}));
    if (selected(parts, "recovery"))
      add(measure_recovery(config, parent,
                           {std::stoull(env.flag_or("recovery-records", "3000000")), keys,
                            std::stoll(env.flag_or("fail-at", "2000000")),
                            std::stod(env.flag_or("recovery-rate", "1000000"))}));
    if (selected(parts, "incremental"))
      add(measure_incremental(
          config, parent,
          {state_mb, value_bytes,
           std::stod(env.flag_or("update-percent", "1")),
           std::max<std::size_t>(1, std::stoull(env.flag_or("incremental-rounds", "30"))),
           std::stoll(env.flag_or("incremental-interval-ms", "1000")),
           sluice::parse_state_backend(env.flag_or("incremental-backend", "rocksdb")),
           env.flag_or("incremental-job", "state")}));
    if (selected(parts, "local-recovery"))
      add(measure_local_recovery(
          config, parent,
          {state_mb, value_bytes,
           bench::repeat_of(env)}));
    if (figures.empty())
      throw std::runtime_error("--parts names none of throughput, state, recovery, incremental, "
                               "local-recovery");
    if (env.flag("json"))
      bench::print_json(figures);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_checkpoint: %s\n", e.what());
    return 1;
  }
  return 0;
}
