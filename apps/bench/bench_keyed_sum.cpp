// bench_keyed_sum: generator -> map -> key_by -> rolling sum -> discarding sink over 16-byte
// records (int64 key among --keys keys, int64 value), at parallelism 1 and 2, beside a
// hand-written single-threaded loop doing the same work (generate, hash-map update, discard).
//
// Best of --repeat R interleaved rounds (loop, p1, p2 in turn).
//
//   bench_keyed_sum [--records N] [--keys K] [--repeat R] [--json] [common flags]

#include "bench_util.hpp"

#include <sluice/sluice.hpp>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <unordered_map>
#include <utility>

namespace {

using record = std::pair<std::int64_t, std::int64_t>;

/// The i-th generated record: keys scattered over [0, keys), value i.
inline record generate(std::uint64_t i, std::uint64_t keys) {
  return {static_cast<std::int64_t>((i * 0x9E3779B97F4A7C15ULL >> 20) % keys),
          static_cast<std::int64_t>(i)};
}

inline record transform(record r) { return {r.first, r.second + 1}; }

/// The baseline: the same work in one plain loop.
double baseline_records_per_s(std::uint64_t records, std::uint64_t keys) {
  std::unordered_map<std::int64_t, record> sums;
  volatile std::int64_t sink = 0;
  auto secs = bench::seconds_of([&] {
    for (std::uint64_t i = 0; i < records; ++i) {
      auto r = transform(generate(i, keys));
      auto [it, inserted] = sums.try_emplace(r.first, r);
      if (!inserted)
        it->second.second += r.second;
      sink = it->second.second;
    }
  });
  (void)sink;
  return static_cast<double>(records) / secs;
}

bench::job_run engine_run(sluice::job_config config, int parallelism, std::uint64_t records,
                          std::uint64_t keys) {
  config.parallelism = parallelism;
  sluice::environment env(config);
  env.from_source(sluice::make_generator_source(
                      [keys](std::uint64_t i) { return generate(i, keys); }, records),
                  "generator")
      .map([](record r) { return transform(r); })
      .key_by([](const record& r) { return r.first; })
      .sum<1>()
      .sink_to(sluice::discarding_sink<record>{}, "discard");
  return bench::run_job(env, "bench_keyed_sum", records);
}

} // namespace

int main(int argc, char** argv) {
  sluice::environment env{argc,
                          argv,
                          {{"records", "records per run", std::string("20000000"), false},
                           {"keys", "distinct keys", std::string("100000"), false},
                           bench::repeat_flag("1"),
                           {"json", "print the figures as JSON on the last line", {}, true}}};
  auto records = std::stoull(env.flag_or("records", "20000000"));
  auto keys = std::stoull(env.flag_or("keys", "100000"));
  const int repeat = bench::repeat_of(env);
  bench::lowest_cpu cpu1, cpu2;
  const auto best = bench::best_of_interleaved(
      repeat, {[&] { return baseline_records_per_s(records, keys); },
               [&] { return cpu1(engine_run(env.config(), 1, records, keys)); },
               [&] { return cpu2(engine_run(env.config(), 2, records, keys)); }});
  const double baseline = best[0];
  const double p1 = best[1];
  const double p2 = best[2];
  std::printf("records: %llu, keys: %llu, best of %d interleaved run(s)\n",
              static_cast<unsigned long long>(records), static_cast<unsigned long long>(keys),
              repeat);
  std::printf("hand-written loop:   %12.0f records/s\n", baseline);
  std::printf(
      "sluice parallelism 1: %11.0f records/s  (%.2f of the loop; %.1f ns of CPU per record)\n", p1,
      p1 / baseline, cpu1.ns_per_record());
  std::printf(
      "sluice parallelism 2: %11.0f records/s  (%.2f of the loop; %.1f ns of CPU per record)\n", p2,
      p2 / baseline, cpu2.ns_per_record());
  if (env.flag("json"))
    bench::print_json({{"records_per_s_p1", p1},
                       {"records_per_s_p2", p2},
                       {"baseline_records_per_s", baseline},
                       {"ratio_p1", p1 / baseline},
                       {"ratio_p2", p2 / baseline},
                       {"cpu_ns_per_record_p1", cpu1.ns_per_record()},
                       {"cpu_ns_per_record_p2", cpu2.ns_per_record()}});
  return 0;
}
