// Larger than memory: a keyed job over --keys distinct keys (default 10 million) that counts
// per key with a rolling sum (a value state per key) on the RocksDB backend under --state-memory-mb (default 128), with
// the first --repeated keys seen twice. Checks the results (every key's first count is 1, the
// repeated keys' second is 2) and that the process's peak resident memory grew by no more than
// the state budget plus a stated slack over a warm-up run of the same job with few keys.
// Built with AddressSanitizer (scripts/test.sh --sanitize), the sanitizer's own memory counts
// too, so the bound is (budget + slack) x asan_factor + asan_quarantine_mb (see below).
//
//   test_large_state [--keys N] [--repeated M] [--slack-mb S] [common flags]

#include <sluice/sluice.hpp>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <utility>

#if defined(__SANITIZE_ADDRESS__)
/// AddressSanitizer keeps freed memory in a quarantine (256 MiB by default on 64-bit): this
/// test bounds it, so that the bound below can state it.
constexpr double asan_quarantine_mb = 16;
extern "C" const char* __asan_default_options() { return "quarantine_size_mb=16"; }
/// Every heap chunk gets a redzone of at least 16 bytes and is rounded up to ASan's size class
/// (at most doubling the small chunks RocksDB's block cache and memtables allocate), and each
/// 8 bytes of it one byte of shadow memory: 2 x 1.125.
constexpr double asan_factor = 2.25;
#else
constexpr double asan_quarantine_mb = 0;
constexpr double asan_factor = 1;
#endif

namespace {

/// Outputs per count value, shared by every subtask's copy of the sink.
struct tally {
  std::atomic<std::uint64_t> ones{0}, twos{0}, others{0};
};

using keyed_count = std::pair<std::int64_t, std::int64_t>;

class tally_sink final : public sluice::copyable_sink<tally_sink, keyed_count> {
public:
  explicit tally_sink(std::shared_ptr<tally> t) : tally_(std::move(t)) {}
  void write(keyed_count&& record) override {
    const auto count = record.second;
    auto& slot = count == 1 ? tally_->ones : count == 2 ? tally_->twos : tally_->others;
    slot.fetch_add(1, std::memory_order_relaxed);
  }

private:
  std::shared_ptr<tally> tally_;
};

/// Runs the job over `keys` keys, the first `repeated` of them twice; returns the tally.
std::shared_ptr<tally> run(const sluice::job_config& config, std::uint64_t keys,
                           std::uint64_t repeated) {
  auto result = std::make_shared<tally>();
  sluice::environment env(config);
  env.from_source(sluice::make_generator_source(
                      [keys](std::uint64_t i) {
                        return keyed_count{static_cast<std::int64_t>(i % keys), 1};
                      },
                      keys + repeated),
                  "keys")
      .key_by([](const keyed_count& r) { return r.first; })
      .sum<1>()
      .sink_to(tally_sink(result), "tally");
  auto outcome = env.execute("large_state");
  if (!outcome.ok()) {
    std::fprintf(stderr, "large_state: %s\n", outcome.error().c_str());
    std::exit(1);
  }
  return result;
}

/// The process's peak resident memory in MiB (VmHWM).
double peak_rss_mb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmHWM:", 0) == 0)
      return std::stod(line.substr(6)) / 1024.0;
  std::fprintf(stderr, "large_state: no VmHWM in /proc/self/status\n");
  std::exit(1);
}

bool check(const tally& t, std::uint64_t keys, std::uint64_t repeated, const char* run_name) {
  if (t.ones == keys && t.twos == repeated && t.others == 0)
    return true;
  std::fprintf(stderr, "%s: %llu ones, %llu twos, %llu others; expected %llu, %llu, 0\n", run_name,
               static_cast<unsigned long long>(t.ones.load()),
               static_cast<unsigned long long>(t.twos.load()),
               static_cast<unsigned long long>(t.others.load()),
               static_cast<unsigned long long>(keys), static_cast<unsigned long long>(repeated));
  return false;
}

} // namespace

int main(int argc, char** argv) {
  sluice::environment env{argc, argv,
                          {{"keys", "distinct keys", std::string("10000000"), false},
                           {"repeated", "keys seen twice", std::string("1000000"), false},
                           {"slack-mb", "allowed growth beyond the state budget", std::string("96"),
                            false}}};
  const auto keys = std::stoull(env.flag_or("keys", "10000000"));
  const auto repeated = std::stoull(env.flag_or("repeated", "1000000"));
  const double slack = std::stod(env.flag_or("slack-mb", "96"));
  const auto& config = env.config();

  const std::uint64_t warm_keys = 100000;
  if (!check(*run(config, warm_keys, warm_keys / 10), warm_keys, warm_keys / 10, "warm-up"))
    return 1;
  const double before = peak_rss_mb();
  if (!check(*run(config, keys, repeated), keys, repeated, "large run"))
    return 1;
  const double growth = peak_rss_mb() - before;
  const double allowed =
      (static_cast<double>(config.state.memory_mb) + slack) * asan_factor + asan_quarantine_mb;
  std::printf("%s backend, %llu keys: peak RSS grew %.0f MiB over the warm-up run ((budget %zu "
              "MiB + slack %.0f MiB) x AddressSanitizer factor %.2f + its quarantine %.0f MiB = "
              "%.0f MiB)\n",
              sluice::to_string(config.state.kind), static_cast<unsigned long long>(keys), growth,
              config.state.memory_mb, slack, asan_factor, asan_quarantine_mb, allowed);
  return growth <= allowed ? 0 : 1;
}
