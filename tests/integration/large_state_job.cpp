// Larger than memory: a keyed job over --keys distinct keys (default 10 million) that counts
// per key with a rolling sum (a value state per key) on the RocksDB backend under --state-memory-mb (default 128), with
// the first --repeated keys seen twice. Checks the results (every key's first count is 1, the
// repeated keys' second is 2) and that the process's peak resident memory grew by no more than
// the state budget plus a stated slack over a warm-up run of the same job with few keys.
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
  const double allowed = static_cast<double>(config.state.memory_mb) + slack;
  std::printf("%s backend, %llu keys: peak RSS grew %.0f MiB over the warm-up run (budget %zu MiB "
              "+ slack %.0f MiB = %.0f MiB)\n",
              sluice::to_string(config.state.kind), static_cast<unsigned long long>(keys), growth,
              config.state.memory_mb, slack, allowed);
  return growth <= allowed ? 0 : 1;
}
