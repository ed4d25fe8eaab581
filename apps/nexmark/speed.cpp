#include "speed.hpp"

#include "baselines.hpp"

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <stdexcept>
#include <thread>

namespace nexmark {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double percentile_ms(std::vector<std::int64_t>& sorted_ns, double p) {
  const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted_ns.size() - 1));
  return static_cast<double>(sorted_ns[index]) / 1e6;
}

} // namespace

figures measure(const sluice::job_config& config, const std::string& query,
                const event_input& input, int repeat) {
  figures f;
  f.query = query;
  f.events = input.events;
  const int machine = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  f.parallelism = config.parallelism > 0 ? config.parallelism : machine;
  f.cores = std::min(f.parallelism, machine);
  for (int round = 0; round < repeat; ++round) {
    sluice::environment env(config);
    measuring_sink sink;
    build_query(query, event_stream(env, input)).sink_to(sink, "measure");
    const auto start = std::chrono::steady_clock::now();
    const auto result = env.execute("nexmark " + query);
    const double engine_s = seconds_since(start);
    if (!result.ok())
      throw std::runtime_error(result.error());
    const double rate = static_cast<double>(input.events) / engine_s;
    if (rate > f.events_per_s) {
      f.events_per_s = rate;
      auto& m = *sink.shared();
      f.rows = m.rows;
      f.has_latency = !m.latencies_ns.empty();
      if (f.has_latency) {
        std::sort(m.latencies_ns.begin(), m.latencies_ns.end());
        f.p50_ms = percentile_ms(m.latencies_ns, 0.5);
        f.p99_ms = percentile_ms(m.latencies_ns, 0.99);
      }
    }
    std::int64_t lines = 0;
    const auto baseline_start = std::chrono::steady_clock::now();
    if (!run_baseline(query, input.generator, input.events, [&](std::string&&) { ++lines; }))
      throw std::runtime_error("query " + query + " has no baseline");
    const double baseline_rate = static_cast<double>(input.events) / seconds_since(baseline_start);
    if (baseline_rate > f.baseline_events_per_s) {
      f.baseline_events_per_s = baseline_rate;
      f.baseline_rows = lines;
    }
  }
  return f;
}

void print_figures(std::ostream& out, const figures& f) {
  const double per_core = f.events_per_s / f.cores;
  const double ratio = f.events_per_s / f.baseline_events_per_s;
  out << std::fixed << std::setprecision(0);
  out << "query " << f.query << ", " << f.events << " events, parallelism " << f.parallelism
      << " (" << f.cores << " cores)\n";
  out << "  sluice:   " << f.events_per_s << " events/s, " << per_core << " events/s per core, "
      << f.rows << " lines\n";
  out << "  baseline: " << f.baseline_events_per_s << " events/s (single-threaded), "
      << f.baseline_rows << " lines\n";
  out << std::setprecision(2) << "  ratio:    " << ratio << '\n';
  if (f.has_latency)
    out << std::setprecision(4) << "  latency:  p50 " << f.p50_ms << " ms, p99 " << f.p99_ms
        << " ms\n";
  out << std::setprecision(0) << "{\"query\":\"" << f.query << "\",\"events\":" << f.events
      << ",\"parallelism\":" << f.parallelism << ",\"events_per_s\":" << f.events_per_s
      << ",\"events_per_s_per_core\":" << per_core
      << ",\"baseline_events_per_s\":" << f.baseline_events_per_s << std::setprecision(3)
      << ",\"ratio\":" << ratio << std::setprecision(4);
  if (f.has_latency)
    out << ",\"p50_ms\":" << f.p50_ms << ",\"p99_ms\":" << f.p99_ms << "}\n";
  else
    out << ",\"p50_ms\":null,\"p99_ms\":null}\n";
}

} // namespace nexmark
