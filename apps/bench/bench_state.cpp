// bench_state: value-state read-modify-write through the engine — generator -> key_by -> a rich
// map that increments a value_state<int64> per key -> discarding sink — at parallelism 1 on the
// backend of --state-backend, beside the raw structure doing the same operations in the same
// run: a hash map for heap, the RocksDB API (Get + Put per record, same memory settings) for
// rocksdb.
//
//   bench_state [--records N] [--keys K] [--repeat R] [--json] [--state-backend heap|rocksdb]
//               [common flags]
// Each side runs R times (default 3); the best run of each counts.

#include "bench_util.hpp"
#include "raw_rocksdb.hpp"

#include <sluice/sluice.hpp>

#include <cstdint>
#include <cstdio>
#include <string>

namespace {

/// The i-th record's key: scattered over [0, keys).
inline std::int64_t key_of(std::uint64_t i, std::uint64_t keys) {
  return static_cast<std::int64_t>((i * 0x9E3779B97F4A7C15ULL >> 20) % keys);
}

/// The engine's work per record: read the key's count, add one, write it back.
struct count_per_key {
  sluice::value_state<std::int64_t>* count = nullptr;

  void open(sluice::runtime_context& ctx) {
    count = &ctx.get_state(sluice::value_state_descriptor<std::int64_t>("count"));
  }
  std::int64_t operator()(std::int64_t) {
    const std::int64_t next = count->value().value_or(0) + 1;
    count->update(next);
    return next;
  }
};

double heap_baseline(std::uint64_t records, std::uint64_t keys) {
  sluice::flat_hash_map<std::int64_t, std::int64_t> counts;
  volatile std::int64_t sink = 0;
  auto secs = bench::seconds_of([&] {
    for (std::uint64_t i = 0; i < records; ++i) {
      auto [count, inserted] = counts.try_emplace(key_of(i, keys), 0);
      (void)inserted;
      sink = ++*count;
    }
  });
  (void)sink;
  return static_cast<double>(records) / secs;
}

double rocksdb_baseline(const sluice::job_config& config, std::uint64_t records,
                        std::uint64_t keys) {
  // Beside the state dir, not in it: the job owns (and removes) the state dir it creates.
  bench::raw_rocksdb db(config.state.state_dir + "-raw-baseline", config.state.memory_mb);
  auto secs = bench::seconds_of([&] {
    for (std::uint64_t i = 0; i < records; ++i)
      db.increment(key_of(i, keys));
  });
  return static_cast<double>(records) / secs;
}

double engine_records_per_s(sluice::job_config config, std::uint64_t records,
                            std::uint64_t keys) {
  config.parallelism = 1;
  sluice::environment env(config);
  env.from_source(sluice::make_generator_source([keys](std::uint64_t i) { return key_of(i, keys); },
                                                records),
                  "generator")
      .key_by([](std::int64_t k) { return k; })
      .map(count_per_key{})
      .sink_to(sluice::discarding_sink<std::int64_t>{}, "discard");
  return bench::records_per_s(env, "bench_state", records);
}

} // namespace

int main(int argc, char** argv) {
  sluice::environment env{argc, argv,
                          {{"records", "records per run", std::string("4000000"), false},
                           {"keys", "distinct keys", std::string("1000000"), false},
                           bench::repeat_flag("3"),
                           {"json", "print the figures as JSON on the last line", {}, true}}};
  const auto records = std::stoull(env.flag_or("records", "4000000"));
  const int repeat = bench::repeat_of(env);
  const auto keys = std::stoull(env.flag_or("keys", "1000000"));
  const auto& config = env.config();
  const bool rocksdb = config.state.kind == sluice::state_backend_kind::rocksdb;
  const auto best = bench::best_of_interleaved(
      repeat, {[&] {
                 return rocksdb ? rocksdb_baseline(config, records, keys)
                                : heap_baseline(records, keys);
               },
               [&] { return engine_records_per_s(config, records, keys); }});
  const double baseline = best[0];
  const double engine = best[1];
  std::printf("backend: %s, records: %llu, keys: %llu\n", sluice::to_string(config.state.kind),
              static_cast<unsigned long long>(records), static_cast<unsigned long long>(keys));
  std::printf("%-22s %12.0f read-modify-writes/s\n",
              rocksdb ? "raw RocksDB Get+Put:" : "raw hash map:", baseline);
  std::printf("sluice value_state:    %12.0f read-modify-writes/s  (%.2f of raw)\n", engine,
              engine / baseline);
  if (env.flag("json"))
    bench::print_json({{"engine_rmw_per_s", engine},
                       {"raw_rmw_per_s", baseline},
                       {"ratio", engine / baseline}});
  return 0;
}
