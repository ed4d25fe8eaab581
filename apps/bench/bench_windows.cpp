// bench_windows: generator -> event-time timestamps -> key_by -> window sum -> discarding sink,
// with tumbling (10 s), sliding (10 s every 2 s) and session (5 s gap) windows over --keys keys,
// at parallelism 1 and 2, beside a hand-written single-threaded loop computing the same windows
// (hash map from (key, window start) to sum, emitting sums as its watermark passes them).
//
// Record i has key i % keys, value i and timestamp i / 20 ms, plus a 10 s pause every million
// records, so that sessions end: 20,000,000 records span about 100 tumbling windows.
//
//   bench_windows [--records N] [--keys K] [--kinds tumbling,sliding,session] [--repeat R]
//                 [--json] [common flags]
// Each figure is the best of R runs (default 1), interleaved: the loop, then parallelism 1
// and 2, R times, so that the machine's drifting load meets all three alike.

#include "bench_util.hpp"

#include <sluice/sluice.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <queue>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

using record = std::pair<std::int64_t, std::int64_t>; // (key, value)

constexpr std::int64_t window_size_ms = 10000;
constexpr std::int64_t slide_ms = 2000;
constexpr std::int64_t session_gap_ms = 5000;
constexpr std::int64_t bound_ms = 100;
/// The loop's watermark advances every this many records (the engine's every 200 ms of wall time).
constexpr std::uint64_t watermark_every = 10000;

enum class kind { tumbling, sliding, session };
const char* const kind_names[] = {"tumbling", "sliding", "session"};

inline std::int64_t timestamp_of(std::int64_t i) { return i / 20 + i / 1000000 * 10000; }

inline record generate(std::uint64_t i, std::uint64_t keys) {
  return {static_cast<std::int64_t>(i % keys), static_cast<std::int64_t>(i)};
}

/// Emitted windows as the loop sees them; kept in a volatile so the work is not optimized away.
struct checksum {
  volatile std::int64_t value = 0;
  void emit(std::int64_t sum) { value = value + sum; }
};

/// Tumbling and sliding windows: sums by (key, window start), fired from a min-heap of ends.
void run_fixed_windows(std::uint64_t records, std::uint64_t keys, std::int64_t slide,
                       checksum& out) {
  struct key_hash {
    std::size_t operator()(const std::pair<std::int64_t, std::int64_t>& k) const {
      return std::hash<std::int64_t>{}(k.first * 0x9E3779B97F4A7C15LL ^ k.second);
    }
  };
  using due = std::tuple<std::int64_t, std::int64_t, std::int64_t>; // (end, start, key)
  std::unordered_map<std::pair<std::int64_t, std::int64_t>, std::int64_t, key_hash> sums;
  std::priority_queue<due, std::vector<due>, std::greater<due>> ends;
  std::int64_t max_ts = std::numeric_limits<std::int64_t>::min();
  auto fire_until = [&](std::int64_t wm) {
    while (!ends.empty() && std::get<0>(ends.top()) - 1 <= wm) {
      const auto [end, start, key] = ends.top();
      ends.pop();
      const auto it = sums.find({key, start});
      out.emit(it->second);
      sums.erase(it);
    }
  };
  for (std::uint64_t i = 0; i < records; ++i) {
    const record r = generate(i, keys);
    const std::int64_t ts = timestamp_of(r.second);
    max_ts = std::max(max_ts, ts);
    const std::int64_t last_start = ts - ts % slide;
    for (std::int64_t start = last_start; start > ts - window_size_ms; start -= slide) {
      const auto [it, inserted] = sums.try_emplace({r.first, start}, 0);
      it->second += r.second;
      if (inserted)
        ends.emplace(start + window_size_ms, start, r.first);
    }
    if ((i + 1) % watermark_every == 0)
      fire_until(max_ts - bound_ms - 1);
  }
  fire_until(std::numeric_limits<std::int64_t>::max() - 1);
}

/// Session windows: the open session of each key, fired from a min-heap of (possibly stale) ends.
void run_sessions(std::uint64_t records, std::uint64_t keys, checksum& out) {
  struct session {
    std::int64_t end;
    std::int64_t sum;
  };
  using due = std::pair<std::int64_t, std::int64_t>; // (end when pushed, key)
  std::unordered_map<std::int64_t, session> open;
  std::priority_queue<due, std::vector<due>, std::greater<due>> ends;
  std::int64_t max_ts = std::numeric_limits<std::int64_t>::min();
  auto fire_until = [&](std::int64_t wm) {
    while (!ends.empty() && ends.top().first - 1 <= wm) {
      const auto [end, key] = ends.top();
      ends.pop();
      const auto it = open.find(key);
      if (it->second.end != end) {
        ends.emplace(it->second.end, key); // extended since: check again later
        continue;
      }
      out.emit(it->second.sum);
      open.erase(it);
    }
  };
  for (std::uint64_t i = 0; i < records; ++i) {
    const record r = generate(i, keys);
    const std::int64_t ts = timestamp_of(r.second);
    max_ts = std::max(max_ts, ts);
    const auto [it, inserted] = open.try_emplace(r.first, session{ts + session_gap_ms, 0});
    if (inserted) {
      ends.emplace(it->second.end, r.first);
    } else if (ts > it->second.end) { // ended, not yet passed by the watermark: fire it now
      out.emit(it->second.sum);
      it->second = session{ts + session_gap_ms, 0}; // its stale heap entry finds the new end
    } else {
      it->second.end = std::max(it->second.end, ts + session_gap_ms);
    }
    it->second.sum += r.second;
    if ((i + 1) % watermark_every == 0)
      fire_until(max_ts - bound_ms - 1);
  }
  fire_until(std::numeric_limits<std::int64_t>::max() - 1);
}

double baseline_records_per_s(kind k, std::uint64_t records, std::uint64_t keys) {
  checksum out;
  const double secs = bench::seconds_of([&] {
    if (k == kind::session)
      run_sessions(records, keys, out);
    else
      run_fixed_windows(records, keys, k == kind::tumbling ? window_size_ms : slide_ms, out);
  });
  return static_cast<double>(records) / secs;
}

bench::job_run engine_run(kind k, sluice::job_config config, int parallelism, std::uint64_t records,
                          std::uint64_t keys) {
  config.parallelism = parallelism;
  sluice::environment env(config);
  auto strategy = sluice::watermark_strategy<record>::for_bounded_out_of_orderness(
                      std::chrono::milliseconds(bound_ms))
                      .with_timestamp_assigner(
                          [](const record& r, std::int64_t) { return timestamp_of(r.second); });
  auto keyed = env.from_source(sluice::make_generator_source(
                                   [keys](std::uint64_t i) { return generate(i, keys); }, records),
                               "generator", strategy)
                   .key_by([](const record& r) { return r.first; });
  auto sum = [](const record& a, const record& b) { return record{a.first, a.second + b.second}; };
  auto sums = k == kind::tumbling
                  ? keyed.window(sluice::tumbling_windows(window_size_ms)).reduce(sum)
              : k == kind::sliding
                  ? keyed.window(sluice::sliding_windows(window_size_ms, slide_ms)).reduce(sum)
                  : keyed.window(sluice::session_windows(session_gap_ms)).reduce(sum);
  sums.sink_to(sluice::discarding_sink<record>{}, "discard");
  return bench::run_job(env, "bench_windows", records);
}

} // namespace

int main(int argc, char** argv) {
  sluice::environment env{argc,
                          argv,
                          {{"records", "records per run", std::string("20000000"), false},
                           {"keys", "distinct keys", std::string("10000"), false},
                           {"kinds", "window kinds to run, comma-separated",
                            std::string("tumbling,sliding,session"), false},
                           bench::repeat_flag("1"),
                           {"json", "print the figures as JSON on the last line", {}, true}}};
  const auto records = std::stoull(env.flag_or("records", "20000000"));
  const auto keys = std::stoull(env.flag_or("keys", "10000"));
  const int repeat = bench::repeat_of(env);
  std::printf("records: %llu, keys: %llu, best of %d interleaved run(s)\n",
              static_cast<unsigned long long>(records), static_cast<unsigned long long>(keys),
              repeat);
  std::vector<std::pair<std::string, double>> fields;
  const std::string kinds = "," + env.flag_or("kinds", "tumbling,sliding,session") + ",";
  for (const kind k : {kind::tumbling, kind::sliding, kind::session}) {
    const std::string name = kind_names[static_cast<int>(k)];
    if (kinds.find("," + name + ",") == std::string::npos)
      continue;
    bench::lowest_cpu cpu1, cpu2;
    const auto best = bench::best_of_interleaved(
        repeat, {[&] { return baseline_records_per_s(k, records, keys); },
                 [&] { return cpu1(engine_run(k, env.config(), 1, records, keys)); },
                 [&] { return cpu2(engine_run(k, env.config(), 2, records, keys)); }});
    const double baseline = best[0];
    const double p1 = best[1];
    const double p2 = best[2];
    std::printf("%-8s  hand-written loop: %11.0f records/s\n", name.c_str(), baseline);
    std::printf("%-8s  parallelism 1:     %11.0f records/s  (%.2f of the loop; %.1f ns of CPU per "
                "record)\n",
                name.c_str(), p1, p1 / baseline, cpu1.ns_per_record());
    std::printf("%-8s  parallelism 2:     %11.0f records/s  (%.2f of the loop; %.1f ns of CPU per "
                "record)\n",
                name.c_str(), p2, p2 / baseline, cpu2.ns_per_record());
    fields.insert(fields.end(), {{"records_per_s_" + name + "_p1", p1},
                                 {"records_per_s_" + name + "_p2", p2},
                                 {"baseline_records_per_s_" + name, baseline},
                                 {"ratio_" + name + "_p1", p1 / baseline},
                                 {"ratio_" + name + "_p2", p2 / baseline},
                                 {"cpu_ns_per_record_" + name + "_p1", cpu1.ns_per_record()},
                                 {"cpu_ns_per_record_" + name + "_p2", cpu2.ns_per_record()}});
  }
  if (env.flag("json"))
    bench::print_json(fields);
  return 0;
}
