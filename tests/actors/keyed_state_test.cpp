// Rich functions with state on the embedded local cluster at parallelism 1, 2 and 4: keyed
// map/filter/flat_map get keyed state in open() and see the element's key's entry; every
// operator has operator state; the state dir is prepared and cleaned up around the job.
// Expected results are computed here from the input.

#include "job_test_util.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

using namespace sluice;
using sluice::test::test_config;

namespace {

using counted = std::pair<std::int64_t, std::int64_t>; // key, count

constexpr std::int64_t records = 20000;
constexpr std::int64_t keys = 37;

std::int64_t key_of(std::int64_t v) { return v % keys; }

/// How often open() and close() ran, over all copies of a function.
struct lifecycle {
  std::atomic<int> opened{0};
  std::atomic<int> closed{0};
};

/// Emits (key, how many elements of that key it has seen), counting in value state.
struct running_count {
  std::shared_ptr<lifecycle> calls;
  value_state<std::int64_t>* count = nullptr;

  void open(runtime_context& ctx) {
    ++calls->opened;
    count = &ctx.get_state(value_state_descriptor<std::int64_t>("count"));
  }
  void close() { ++calls->closed; }
  counted operator()(std::int64_t v) {
    const std::int64_t n = count->value().value_or(0) + 1;
    count->update(n);
    return {key_of(v), n};
  }
};

/// Keeps the first element of each key (its state is a flag per key).
struct first_of_key {
  value_state<bool>* seen = nullptr;
  void open(const runtime_context& ctx) {
    seen = &ctx.get_state(value_state_descriptor<bool>("seen"));
  }
  bool operator()(const std::int64_t&) {
    if (seen->value().value_or(false))
      return false;
    seen->update(true);
    return true;
  }
};

/// Emits the key's running sum whenever it crosses another multiple of 1000, in list state.
struct sum_milestones {
  list_state<std::int64_t>* sums = nullptr;
  void open(runtime_context& ctx) { sums = &ctx.get_state(list_state_descriptor<std::int64_t>("sums")); }
  void operator()(std::int64_t v, collector<counted>& out) {
    auto all = sums->get();
    const std::int64_t before = all.empty() ? 0 : all.back();
    sums->add(before + v);
    if ((before + v) / 1000 != before / 1000)
      out.collect(counted{key_of(v), before + v});
  }
};

template <class T>
std::vector<T> sorted(const collecting_sink<T>& sink) {
  auto out = sink.results();
  std::sort(out.begin(), out.end());
  return out;
}

data_stream<std::int64_t> input(environment& env) {
  return env.from_source(sequence_source{0, records - 1}, "numbers");
}

} // namespace

TEST_CASE("a keyed map's value state is the element's key's, and open and close run per subtask") {
  std::vector<counted> expected;
  std::map<std::int64_t, std::int64_t> seen;
  for (std::int64_t v = 0; v < records; ++v)
    expected.push_back({key_of(v), ++seen[key_of(v)]});
  std::sort(expected.begin(), expected.end());
  for (auto [p, kind] : {std::pair{1, state_backend_kind::heap}, {2, state_backend_kind::heap},
                         {4, state_backend_kind::heap}, {2, state_backend_kind::rocksdb}}) {
    CAPTURE(p);
    const std::string backend = to_string(kind);
    CAPTURE(backend);
    auto cfg = test_config(p);
    cfg.state.kind = kind;
    environment env(cfg);
    auto calls = std::make_shared<lifecycle>();
    collecting_sink<counted> sink;
    input(env).key_by(key_of).map(running_count{calls}, "count").sink_to(sink);
    auto result = env.execute("keyed map");
    REQUIRE_MESSAGE(result.ok(), result.error());
    CHECK(sorted(sink) == expected);
    CHECK(calls->opened == p);
    CHECK(calls->closed == p);
  }
}

TEST_CASE("a keyed filter and a keyed flat_map keep state per key") {
  // One source subtask: each key's elements arrive in input order, so the first of key k is k.
  std::vector<std::int64_t> firsts;
  for (std::int64_t k = 0; k < keys; ++k)
    firsts.push_back(k);
  std::vector<counted> milestones;
  std::map<std::int64_t, std::int64_t> sums;
  for (std::int64_t v = 0; v < records; ++v) {
    auto& sum = sums[key_of(v)];
    if ((sum + v) / 1000 != sum / 1000)
      milestones.push_back({key_of(v), sum + v});
    sum += v;
  }
  std::sort(milestones.begin(), milestones.end());
  for (int p : {1, 2, 4}) {
    CAPTURE(p);
    environment env(test_config(p));
    collecting_sink<std::int64_t> first_sink;
    collecting_sink<counted> milestone_sink;
    auto numbers = env.from_source(sequence_source{0, records - 1}, "numbers")
                       .set_parallelism(1);
    numbers.key_by(key_of).filter(first_of_key{}, "first").sink_to(first_sink);
    numbers.key_by(key_of).flat_map(sum_milestones{}, "milestones").sink_to(milestone_sink);
    auto result = env.execute("keyed filter and flat_map");
    REQUIRE_MESSAGE(result.ok(), result.error());
    CHECK(sorted(first_sink) == firsts);
    CHECK(sorted(milestone_sink) == milestones);
  }
}

namespace {

/// Records in operator list state the elements of its subtask; reports their count on close.
struct remembering_map {
  std::shared_ptr<std::atomic<std::int64_t>> remembered;
  list_state<std::int64_t>* elements = nullptr;
  void open(runtime_context& ctx) {
    elements = &ctx.operator_state->get_list_state(list_state_descriptor<std::int64_t>("elements"));
  }
  void close() { *remembered += static_cast<std::int64_t>(elements->get().size()); }
  std::int64_t operator()(std::int64_t v) {
    elements->add(v);
    return v;
  }
};

} // namespace

TEST_CASE("a rich function on a non-keyed stream reaches its operator list state") {
  for (int p : {1, 2}) {
    CAPTURE(p);
    environment env(test_config(p));
    auto remembered = std::make_shared<std::atomic<std::int64_t>>(0);
    input(env).map(remembering_map{remembered}, "remember").sink_to(discarding_sink<std::int64_t>{});
    auto result = env.execute("operator list state");
    REQUIRE_MESSAGE(result.ok(), result.error());
    CHECK(*remembered == records);
  }
}

namespace {

/// Records, at open(), whether the job's state dir exists and holds a RocksDB instance.
struct state_dir_probe {
  std::shared_ptr<std::atomic<int>> existing;
  std::string dir;
  void open(runtime_context& ctx) {
    ctx.get_state(value_state_descriptor<std::int64_t>("unused"));
    if (std::filesystem::is_directory(dir) && !std::filesystem::is_empty(dir))
      ++*existing;
  }
  std::int64_t operator()(std::int64_t v) { return v; }
};

} // namespace

TEST_CASE("the default state dir exists while a rocksdb job runs and is removed after it") {
  const auto dir = default_state_dir();
  REQUIRE_FALSE(std::filesystem::exists(dir));
  auto cfg = test_config(2);
  cfg.state.kind = state_backend_kind::rocksdb;
  environment env(cfg);
  auto existing = std::make_shared<std::atomic<int>>(0);
  input(env)
      .key_by(key_of)
      .map(state_dir_probe{existing, dir}, "probe")
      .sink_to(discarding_sink<std::int64_t>{});
  auto result = env.execute("state dir");
  REQUIRE_MESSAGE(result.ok(), result.error());
  CHECK(*existing == 2);
  CHECK_FALSE(std::filesystem::exists(dir));
}

TEST_CASE("an unusable --state-dir fails the job at start naming the flag and the path") {
  const auto file = std::filesystem::temp_directory_path() /
                    ("sluice-not-a-dir-" + std::to_string(::getpid()));
  std::ofstream(file) << "a file, not a directory\n";
  for (const auto& bad : {file.string(), (file / "below").string()}) {
    CAPTURE(bad);
    auto cfg = test_config(1);
    cfg.state.kind = state_backend_kind::rocksdb;
    cfg.state.state_dir = bad;
    environment env(cfg);
    input(env).sink_to(discarding_sink<std::int64_t>{});
    auto result = env.execute("bad state dir");
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().find("--state-dir") != std::string::npos);
    CHECK(result.error().find(bad) != std::string::npos);
  }
  std::filesystem::remove(file);
}
