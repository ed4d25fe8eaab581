#pragma once
// Helpers for tests that run real jobs on the embedded local cluster.

#include <sluice/sluice.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice::test {

/// A configuration for tests: given parallelism, small batches so several travel per job.
inline job_config test_config(int parallelism, std::size_t batch_bytes = 1024) {
  job_config c;
  c.parallelism = parallelism;
  c.batch_bytes = batch_bytes;
  return c;
}

/// The id of the plan's vertex whose name contains `name` ("Source: numbers", ...); throws
/// std::invalid_argument if none does.
inline int vertex_named(const execution_plan& plan, const std::string& name) {
  for (const auto& v : plan.vertices())
    if (v.name.find(name) != std::string::npos)
      return v.id;
  throw std::invalid_argument("no vertex named " + name);
}

/// The plan numbers -> relay -> sink, each its own vertex, and the relay's vertex id: for tests
/// that run the relay's subtask alone and play its neighbours.
struct relay_job {
  collecting_sink<std::int64_t> sink;
  std::shared_ptr<const execution_plan> plan;
  int relay = 0;

  explicit relay_job(const job_config& config) {
    environment env(config);
    env.from_source(collection_source<std::int64_t>{{1}}, "numbers")
        .map([](const std::int64_t& v) { return v; }, "relay")
        .disable_chaining()
        .sink_to(sink);
    plan = env.plan();
    if (plan->vertices().size() != 3)
      throw std::logic_error("the relay job has " + std::to_string(plan->vertices().size()) +
                             " vertices, not 3");
    relay = vertex_named(*plan, "relay");
  }
};

/// A deterministic pseudo-random generator (splitmix64), independent of the engine.
class test_random {
public:
  explicit test_random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) { return next() % n; }

private:
  std::uint64_t state_;
};

/// Lines of words drawn from a small vocabulary, with mixed case and punctuation.
inline std::vector<std::string> generated_text(std::size_t lines, std::uint64_t seed) {
  static const std::vector<std::string> vocabulary = {
      "Stream", "flow", "gate", "WATER", "sluice", "actor", "credit", "batch", "key", "Group"};
  static const std::vector<std::string> separators = {" ", ", ", "--", "! ", " 42 ", "\t"};
  test_random rnd(seed);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < lines; ++i) {
    std::string line;
    auto words = rnd.below(12);
    for (std::uint64_t w = 0; w < words; ++w)
      line += vocabulary[rnd.below(vocabulary.size())] + separators[rnd.below(separators.size())];
    out.push_back(line);
  }
  return out;
}

/// Sorted lines of every committed (non-dot) file in `dir`: what readers of an exactly-once
/// file sink's output see.
inline std::vector<std::string> committed_lines(const std::filesystem::path& dir) {
  std::vector<std::string> lines;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().front() == '.')
      continue;
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line);)
      lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

} // namespace sluice::test
