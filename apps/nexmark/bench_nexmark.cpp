// bench_nexmark: the queries on the in-process generator, each against its single-threaded
// baseline, in a table beside Flink's published per-core throughput.
//
//   bench_nexmark [--queries all|q0,q5,...] [--events N] [--repeat R] [--parallelism P]
//                 [--state-backend heap|rocksdb]
//                 [--checkpoint-interval-ms MS --checkpoint-dir DIR] [common flags]
//
// Flink's figures: nexmark/nexmark's GUIDE_V1.md result table (Throughput/Cores; 8 task
// managers, RocksDB, 100 M events; docs/nexmark.md quotes it). The last line is one JSON
// object: {"events", "parallelism", "queries": [{"query", "events_per_s_per_core", ...}]}.

#include "numbers.hpp"
#include "speed.hpp"

#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

namespace {

/// Throughput/Cores of nexmark/nexmark's GUIDE_V1.md result table, events/s per core.
const std::map<std::string, double>& flink_per_core() {
  static const std::map<std::string, double> figures{
      {"q0", 155020}, {"q1", 157940},  {"q2", 175210},  {"q3", 152120},  {"q4", 34330},
      {"q5", 22140},  {"q7", 12330},   {"q8", 146140},  {"q9", 14240},   {"q10", 57810},
      {"q11", 39700}, {"q12", 75670},  {"q13", 130730}, {"q14", 161230}, {"q15", 72420},
      {"q16", 18650}, {"q17", 116800}, {"q18", 53700},  {"q19", 44040},  {"q20", 18980},
      {"q21", 98490}, {"q22", 129960}};
  return figures;
}

std::vector<std::string> queries_of(const std::string& list) {
  if (list == "all")
    return nexmark::query_names();
  std::vector<std::string> out;
  std::istringstream in(list);
  for (std::string q; std::getline(in, q, ',');) {
    nexmark::require_query(q);
    out.push_back(q);
  }
  return out;
}

} // namespace

int main(int argc, char** argv) {
  sluice::environment env{argc,
                          argv,
                          {{"queries", "all, or a comma-separated list (q0,q5,...)", "all", false},
                           {"events", "events per run", "10000000", false},
                           {"repeat", "best of R interleaved runs", "1", false}}};
  try {
    const auto queries = queries_of(env.flag_or("queries", "all"));
    nexmark::event_input input;
    input.events = nexmark::parse_flag_int("events", env.flag_or("events", "10000000"), 1);
    const int repeat =
        static_cast<int>(nexmark::parse_flag_int("repeat", env.flag_or("repeat", "1"), 1));
    const auto& config = env.config();
    std::cout << std::left << std::setw(6) << "query" << std::right << std::setw(14)
              << "events/s" << std::setw(14) << "per core" << std::setw(14) << "baseline"
              << std::setw(8) << "ratio" << std::setw(14) << "Flink/core" << std::setw(10)
              << "x Flink" << std::setw(10) << "p50 ms" << std::setw(10) << "p99 ms" << '\n';
    std::string json;
    int parallelism = 0;
    for (const auto& q : queries) {
      const auto f = nexmark::measure(config, q, input, repeat);
      parallelism = f.parallelism;
      const double per_core = f.events_per_s / f.cores;
      const double flink = flink_per_core().at(q);
      std::cout << std::left << std::setw(6) << q << std::right << std::fixed
                << std::setprecision(0) << std::setw(14) << f.events_per_s << std::setw(14)
                << per_core << std::setw(14) << f.baseline_events_per_s << std::setprecision(2)
                << std::setw(8) << f.events_per_s / f.baseline_events_per_s
                << std::setprecision(0) << std::setw(14) << flink << std::setprecision(1)
                << std::setw(10) << per_core / flink << std::setprecision(1) << std::setw(10)
                << (f.has_latency ? f.p50_ms : 0.0) << std::setw(10)
                << (f.has_latency ? f.p99_ms : 0.0) << std::endl;
      std::ostringstream o;
      o << std::fixed << std::setprecision(0) << "{\"query\":\"" << q
        << "\",\"events_per_s\":" << f.events_per_s << ",\"events_per_s_per_core\":" << per_core
        << ",\"baseline_events_per_s\":" << f.baseline_events_per_s
        << ",\"flink_events_per_s_per_core\":" << flink << std::setprecision(3)
        << ",\"ratio\":" << f.events_per_s / f.baseline_events_per_s
        << ",\"per_core_vs_flink\":" << per_core / flink << '}';
      json += (json.empty() ? "" : ",") + o.str();
    }
    std::cout << "{\"events\":" << input.events << ",\"parallelism\":" << parallelism
              << ",\"queries\":[" << json << "]}\n";
    return 0;
  } catch (const sluice::config_error& e) {
    std::cerr << "bench_nexmark: error: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "bench_nexmark: error: " << e.what() << '\n';
    return 1;
  }
}
