// bench_rescale: how long a running job processes nothing while its parallelism changes —
// rescaled live (job_client::rescale: it stops at a checkpoint, the subtasks of the vertex that
// changes are deployed again from it and the generator's is kept in place) beside stop with
// savepoint + a new job restored from it at the new parallelism, the same job in the same run.
//
// The job: an unbounded generator (parallelism 1) -> key_by -> a rolling reduce whose state is a
// value of --value-bytes per key over --keys keys -> a sink that times every record's arrival.
// The pause is from the last record to arrive at a sink of the old parallelism until records
// flow at the new one: until each sink of the new parallelism has had its first record (the
// issue's "first record stalled to first record flowing at the new parallelism"; a subtask
// still restoring holds the generator back once its channel's credit is spent). Beside it, the
// longest gap between two records from the request until then: the figure this bench gave
// before; it also counts stalls of the running job that are not the rescale's (a periodic
// checkpoint's while the rescale is prepared), and of two stalls only the longer.
// Small state always; with --state-mb M also state of about M MiB (keys = M MiB / value bytes;
// --state-backend rocksdb for the 1 GiB figure). Best (lowest) of --repeat R interleaved rounds
// (live, restart).
//
//   bench_rescale [--from P] [--to Q] [--keys K] [--value-bytes B] [--state-mb M] [--repeat R]
//                 [--json] [common flags: --state-backend ...]

#include "bench_util.hpp"

#include <sluice/sluice.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;

struct keyed_value {
  std::int64_t key = 0;
  std::int64_t count = 0;
  std::string pad;
  SLUICE_FIELDS(key, count, pad)
};

/// Raises `max` to `value` if it is lower.
void raise_to(std::atomic<std::int64_t>& max, std::int64_t value) {
  auto seen = max.load();
  while (value > seen && !max.compare_exchange_weak(seen, value)) {
  }
}

/// The arrivals at the sink, shared by its copies (and by the jobs of one measurement).
struct arrivals {
  explicit arrivals(int new_parallelism) : new_parallelism(new_parallelism) {}

  const int new_parallelism;
  std::atomic<std::int64_t> count{0};
  std::atomic<std::int64_t> last_ns{0};
  std::atomic<std::int64_t> max_gap_ns{0};
  /// While measuring: the last arrival at a sink of another parallelism than the new one; the
  /// sinks of the new parallelism that had a record, and when the last of them had its first.
  std::atomic<std::int64_t> last_old_ns{0};
  std::atomic<int> new_flowing{0};
  std::atomic<std::int64_t> all_new_ns{0};
  std::atomic<bool> measuring{false};

  /// A record arrived at a sink of `parallelism`; `first` if it is that sink's first.
  void arrived(int parallelism, bool first) {
    const auto now = bench::steady_ns();
    const auto before = last_ns.exchange(now);
    if (measuring.load(std::memory_order_relaxed)) {
      raise_to(max_gap_ns, now - before);
      if (parallelism != new_parallelism)
        raise_to(last_old_ns, now);
      else if (first && new_flowing.fetch_add(1) + 1 == new_parallelism)
        all_new_ns = now;
    }
    count.fetch_add(1, std::memory_order_relaxed);
  }
  /// Waits until `n` records arrived in all (and, while measuring, every sink of the new
  /// parallelism had one).
  void wait_for(std::int64_t n) const {
    while (count.load() < n || (measuring && all_new_ns.load() == 0))
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
};

class timing_sink final : public sluice::copyable_sink<timing_sink, keyed_value> {
public:
  explicit timing_sink(std::shared_ptr<arrivals> a) : arrivals_(std::move(a)) {}
  void open(const sluice::runtime_context& ctx) override { parallelism_ = ctx.parallelism; }
  void write(keyed_value&&) override {
    arrivals_->arrived(parallelism_, !written_);
    written_ = true;
  }

private:
  std::shared_ptr<arrivals> arrivals_;
  int parallelism_ = 0;
  bool written_ = false;
};

/// `bytes` pseudo-random bytes of `key`: values RocksDB cannot compress, so that the state on
/// disk is as large as the flag says.
std::string pad_of(std::int64_t key, std::size_t bytes) {
  std::string out(bytes, '\0');
  auto x = static_cast<std::uint64_t>(key) * 0x9E3779B97F4A7C15ULL + 1;
  for (auto& c : out) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  return out;
}

struct setup {
  sluice::job_config base;
  fs::path dir;
  int from = 2;
  int to = 3;
  std::int64_t keys = 10000;
  std::size_t value_bytes = 16;
};

/// Starts the job at `parallelism` (restoring `restore` if not empty) into `a`.
std::unique_ptr<sluice::job_client> start(const setup& s, int parallelism,
                                          const std::string& restore,
                                          std::shared_ptr<arrivals> a) {
  auto cfg = s.base;
  cfg.parallelism = parallelism;
  cfg.slots = std::max(s.from, s.to);
  cfg.checkpointing.checkpoint_dir = (s.dir / "checkpoints").string();
  cfg.checkpointing.restore = restore;
  sluice::environment env(cfg);
  const auto keys = s.keys;
  const auto value_bytes = s.value_bytes;
  env.from_source(sluice::make_generator_source(
                      [keys, value_bytes](std::uint64_t i) {
                        const auto key = static_cast<std::int64_t>(i) % keys;
                        return keyed_value{key, 1, pad_of(key, value_bytes)};
                      },
                      std::nullopt),
                  "generator")
      .set_parallelism(1)
      .key_by([](const keyed_value& v) { return v.key; })
      .reduce([](keyed_value a, const keyed_value& b) {
        a.count += b.count;
        return a;
      })
      .uid("state")
      .sink_to(timing_sink{std::move(a)}, "timing sink");
  return env.execute_async("bench_rescale");
}

/// Records that must flow at the new parallelism before the pause counts as over.
constexpr std::int64_t flowing = 20000;

void end(sluice::job_client& job) {
  job.cancel();
  job.wait();
}

/// One side's figures, in ms.
struct pause {
  double ms = 0;             ///< last record at the old parallelism to all new sinks flowing
  double longest_gap_ms = 0; ///< the longest gap between two records while measuring
};

pause pause_of(const arrivals& a) {
  return {static_cast<double>(a.all_new_ns.load() - a.last_old_ns.load()) / 1e6,
          static_cast<double>(a.max_gap_ns.load()) / 1e6};
}

/// The pause of a live rescale.
pause live_pause(const setup& s) {
  auto a = std::make_shared<arrivals>(s.to);
  auto job = start(s, s.from, "", a);
  a->wait_for(s.keys + flowing); // every key's state is there
  a->measuring = true;
  job->rescale(s.to, "");
  a->wait_for(a->count.load() + flowing);
  a->measuring = false;
  end(*job);
  return pause_of(*a);
}

/// The pause of stop with savepoint + a restart at the new parallelism.
pause restart_pause(const setup& s) {
  auto a = std::make_shared<arrivals>(s.to);
  auto job = start(s, s.from, "", a);
  a->wait_for(s.keys + flowing);
  a->measuring = true;
  const auto savepoint = job->stop_with_savepoint((s.dir / "savepoints").string(), false);
  job->wait();
  auto restarted = start(s, s.to, (fs::path(savepoint) / "_metadata").string(), a);
  a->wait_for(a->count.load() + flowing);
  a->measuring = false;
  end(*restarted);
  return pause_of(*a);
}

/// Lowers each figure of `best` to `p`'s (the first round: takes p).
void keep_best(pause& best, const pause& p, int round) {
  const auto lower = [round](double& kept, double seen) {
    kept = round == 0 ? seen : std::min(kept, seen);
  };
  lower(best.ms, p.ms);
  lower(best.longest_gap_ms, p.longest_gap_ms);
}

/// The lowest of `repeat` interleaved rounds of each side: {live, restart}.
std::pair<pause, pause> measure(const setup& s, int repeat) {
  pause live;
  pause restart;
  for (int r = 0; r < repeat; ++r) {
    fs::remove_all(s.dir);
    keep_best(live, live_pause(s), r);
    fs::remove_all(s.dir);
    keep_best(restart, restart_pause(s), r);
  }
  fs::remove_all(s.dir);
  return {live, restart};
}

/// Prints one state size's figures and adds them to `fields` with names ending in `suffix`.
void report(const std::string& what, const pause& live, const pause& restart,
            const std::string& suffix, std::vector<std::pair<std::string, double>>& fields) {
  std::printf("%s: live %8.1f ms, stop + restart %8.1f ms (%.1fx shorter); longest gap: live "
              "%.1f ms, stop + restart %.1f ms\n",
              what.c_str(), live.ms, restart.ms, restart.ms / live.ms, live.longest_gap_ms,
              restart.longest_gap_ms);
  fields.push_back({"live_pause_ms_" + suffix, live.ms});
  fields.push_back({"restart_pause_ms_" + suffix, restart.ms});
  fields.push_back({"live_longest_gap_ms_" + suffix, live.longest_gap_ms});
  fields.push_back({"restart_longest_gap_ms_" + suffix, restart.longest_gap_ms});
}

} // namespace

int main(int argc, char** argv) {
  sluice::environment env{argc,
                          argv,
                          {{"from", "parallelism before the rescale", std::string("2"), false},
                           {"to", "parallelism after it", std::string("3"), false},
                           {"keys", "keys of the small state", std::string("10000"), false},
                           {"value-bytes", "bytes of each key's value", std::string("16"), false},
                           {"state-mb", "also measure state of about this many MiB (0: no)",
                            std::string("0"), false},
                           bench::repeat_flag("3"),
                           {"json", "print the figures as JSON on the last line", {}, true}}};
  setup s;
  s.base = env.config();
  s.dir = fs::temp_directory_path() / ("bench_rescale-" + std::to_string(::getpid()));
  s.from = std::stoi(env.flag_or("from", "2"));
  s.to = std::stoi(env.flag_or("to", "3"));
  s.keys = std::stoll(env.flag_or("keys", "10000"));
  s.value_bytes = std::stoull(env.flag_or("value-bytes", "16"));
  const auto state_mb = std::stoll(env.flag_or("state-mb", "0"));
  const int repeat = bench::repeat_of(env);
  if (s.from == s.to || s.from < 1 || s.to < 1) {
    std::fprintf(stderr, "bench_rescale: --from and --to must be two different parallelisms "
                         "of at least 1 (got %d and %d)\n", s.from, s.to);
    return 2;
  }

  std::printf("rescale %d -> %d, %s state, best of %d interleaved round(s)\n", s.from, s.to,
              sluice::to_string(s.base.state.kind), repeat);
  std::vector<std::pair<std::string, double>> fields;
  const auto [live_small, restart_small] = measure(s, repeat);
  const auto small = "small state (" + std::to_string(s.keys) + " keys x " +
                     std::to_string(s.value_bytes) + " bytes)";
  report(small, live_small, restart_small, "small", fields);
  if (state_mb > 0) {
    auto large = s;
    large.value_bytes = 1024;
    large.keys = state_mb * 1024; // MiB / 1 KiB values
    const auto [live_large, restart_large] = measure(large, 1);
    const auto what = "large state (" + std::to_string(large.keys) + " keys x 1 KiB)";
    report(what, live_large, restart_large, "large", fields);
  }
  if (env.flag("json"))
    bench::print_json(fields);
  return 0;
}
