// Recovery on the embedded local cluster (issue 5, section 6): at parallelism 1, 2 and 4 on both
// state backends, a job with a replayable source, keyed running counts, an event-time tumbling
// window and the exactly-once file sink; a map throws at random records a few times per run.
// The job restarts from its latest completed checkpoint (or from scratch before the first) and
// its committed output equals both a failure-free run's and the output computed here. With
// --local-recovery, the restart restores the keyed state from the subtasks' local copies, or
// from the checkpoint directory once they are gone.

#include "../temp_dir.hpp"
#include "job_test_util.hpp"

#include "sluice/actors/local_snapshot_store.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

using namespace sluice;
using sluice::test::committed_lines;
using sluice::test::temp_dir;
using sluice::test::test_config;
using sluice::test::test_random;

namespace {

namespace fs = std::filesystem;
using counted = std::pair<std::int64_t, std::int64_t>; // key, count

constexpr std::int64_t records = 12000;
constexpr std::int64_t keys = 17;
constexpr std::int64_t window_ms = 500; // record i has timestamp i

std::int64_t key_at(std::int64_t i) { return ((i * 7919) % 100003) % keys; }

/// Throws at random records (one in `one_in`), `failures` times in all, across restarts.
struct failure_injector {
  failure_injector(int failures, std::uint64_t seed) : left(failures), random(seed) {}
  bool should_throw() {
    std::lock_guard<std::mutex> guard(mutex);
    return left > 0 && random.below(600) == 0 && left-- > 0;
  }
  std::mutex mutex;
  int left;
  test_random random;
};

/// "key,window start,records,sum of running counts,max running count" per window.
class window_summary final : public process_window_function<std::int64_t, counted, std::string> {
public:
  void process(const context& ctx, const std::vector<counted>& elements,
               collector<std::string>& out) override {
    std::int64_t sum = 0;
    std::int64_t max = 0;
    for (const auto& e : elements) {
      sum += e.second;
      max = std::max(max, e.second);
    }
    out.collect(std::to_string(ctx.key()) + "," + std::to_string(ctx.window().start) + "," +
                std::to_string(elements.size()) + "," + std::to_string(sum) + "," +
                std::to_string(max));
  }
};

std::vector<std::string> expected_lines() {
  std::map<std::int64_t, std::int64_t> count;
  std::map<std::pair<std::int64_t, std::int64_t>, std::tuple<std::int64_t, std::int64_t,
                                                             std::int64_t>> windows;
  for (std::int64_t i = 0; i < records; ++i) {
    const auto key = key_at(i);
    const auto c = ++count[key];
    auto& [n, sum, max] = windows[{key, i / window_ms * window_ms}];
    ++n;
    sum += c;
    max = std::max(max, c);
  }
  std::vector<std::string> lines;
  for (const auto& [kw, agg] : windows)
    lines.push_back(std::to_string(kw.first) + "," + std::to_string(kw.second) + "," +
                    std::to_string(std::get<0>(agg)) + "," + std::to_string(std::get<1>(agg)) +
                    "," + std::to_string(std::get<2>(agg)));
  std::sort(lines.begin(), lines.end());
  return lines;
}

/// The job's configuration at parallelism `p`: checkpoints into dir/chk every 30 ms.
job_config recovery_config(int p, state_backend_kind backend, const temp_dir& dir,
                           bool unaligned) {
  auto cfg = test_config(p, 256);
  cfg.source_rate = 15000;
  cfg.state.kind = backend;
  cfg.checkpointing.interval_ms = 30;
  cfg.checkpointing.checkpoint_dir = dir / "chk";
  cfg.checkpointing.unaligned = unaligned;
  cfg.restart.kind = restart_strategy_kind::fixed_delay;
  cfg.restart.delay_ms = 10;
  return cfg;
}

/// Runs the job into dir/out; `each_record` sees every record in the flaky map (and may throw).
job_result run_job(const job_config& cfg, const temp_dir& dir,
                   std::function<void(std::int64_t)> each_record) {
  environment env(cfg);
  // The source and the flaky map run at parallelism 1, so that the records of a key reach its
  // running count in index order, whatever the parallelism of the rest.
  env.from_source(make_generator_source([](std::uint64_t i) { return static_cast<std::int64_t>(i); },
                                        records),
                  "numbers")
      .set_parallelism(1)
      .assign_timestamps_and_watermarks(
          watermark_strategy<std::int64_t>::for_monotonous_timestamps().with_timestamp_assigner(
              [](const std::int64_t& i, std::int64_t) { return i; }))
      .set_parallelism(1)
      .map([each_record](std::int64_t i) {
             each_record(i);
             return i;
           }, "flaky")
      .set_parallelism(1)
      .map([](std::int64_t i) { return counted{key_at(i), 1}; })
      .set_parallelism(1)
      .key_by([](const counted& c) { return c.first; })
      .reduce([](counted a, const counted& b) { return counted{a.first, a.second + b.second}; },
              "running count")
      .key_by([](const counted& c) { return c.first; })
      .window(tumbling_windows{window_ms})
      .process(window_summary{})
      .sink_to(text_file_sink<std::string>{dir / "out"});
  return env.execute("recovery");
}

/// Runs the job at parallelism `p` with `failures` injected; returns the committed lines.
std::vector<std::string> run(int p, state_backend_kind backend, int failures,
                             const temp_dir& dir, bool unaligned) {
  auto cfg = recovery_config(p, backend, dir, unaligned);
  cfg.restart.attempts = failures + 1;
  auto injector = std::make_shared<failure_injector>(failures, 42 + static_cast<std::uint64_t>(p));
  auto result = run_job(cfg, dir, [injector](std::int64_t i) {
    if (injector->should_throw())
      throw std::runtime_error("injected failure at record " + std::to_string(i));
  });
  REQUIRE_MESSAGE(result.ok(), result.error());
  CHECK(injector->left == 0); // every injected failure happened and was recovered from
  return committed_lines(dir.path() / "out");
}

/// Whether `job_dir` holds a completed checkpoint.
bool has_completed_checkpoint(const fs::path& job_dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(job_dir, ec))
    if (fs::exists(e.path() / "_metadata"))
      return true;
  return false;
}

/// Runs the job at parallelism 2 on `backend` with --local-recovery, failing once, at the first
/// record after a checkpoint completed; `damage` runs in the failing map just before it throws.
/// Returns the committed lines.
std::vector<std::string> run_failing_once(state_backend_kind backend, const temp_dir& dir,
                                          const std::function<void()>& damage) {
  auto cfg = recovery_config(2, backend, dir, false);
  cfg.checkpointing.local_recovery = true;
  cfg.state.state_dir = dir / "state";
  const auto job_dir = dir.path() / "chk" / "recovery";
  auto failed = std::make_shared<bool>(false);
  auto result = run_job(cfg, dir, [job_dir, failed, damage](std::int64_t i) {
    if (*failed || !has_completed_checkpoint(job_dir))
      return;
    *failed = true;
    damage();
    throw std::runtime_error("injected failure at record " + std::to_string(i));
  });
  REQUIRE_MESSAGE(result.ok(), result.error());
  CHECK(*failed);
  return committed_lines(dir.path() / "out");
}

/// Restores of keyed subtasks in one run of the job at parallelism 2: the running counts' and
/// the windows', two each.
constexpr int keyed_subtasks = 4;

/// Parallelism 1, 2 and 4 on `backend`: a failure-free run gives the expected output, and a
/// run with failures the same.
void check_recovery(state_backend_kind backend, bool unaligned = false) {
  const auto expected = expected_lines();
  for (int p : {1, 2, 4}) {
    CAPTURE(p);
    temp_dir clean;
    temp_dir failing;
    const auto reference = run(p, backend, 0, clean, unaligned);
    CHECK(reference == expected);
    CHECK(run(p, backend, 3, failing, unaligned) == reference);
  }
}

} // namespace

TEST_CASE("after injected failures the committed output equals a failure-free run's (heap)") {
  check_recovery(state_backend_kind::heap);
}

TEST_CASE("after injected failures the committed output equals a failure-free run's (rocksdb)") {
  check_recovery(state_backend_kind::rocksdb);
}

TEST_CASE("after injected failures with unaligned checkpoints the committed output is the same") {
  check_recovery(state_backend_kind::heap, true);
}

TEST_CASE("a job stopped after a checkpoint continues at another parallelism (--restore latest)") {
  const auto expected = expected_lines();
  for (auto [before, after] : {std::pair{2, 3}, std::pair{3, 2}}) {
    CAPTURE(before);
    CAPTURE(after);
    temp_dir dir;
    auto first = recovery_config(before, state_backend_kind::heap, dir, false);
    first.restart = {};
    first.restart.kind = restart_strategy_kind::none;
    const auto job_dir = dir.path() / "chk" / "recovery";
    auto checkpointed = std::make_shared<bool>(false);
    auto stopped = run_job(first, dir, [job_dir, checkpointed](std::int64_t i) {
      if (i >= records / 4 && (*checkpointed || (*checkpointed = has_completed_checkpoint(job_dir))))
        throw std::runtime_error("stopped at record " + std::to_string(i));
    });
    REQUIRE_FALSE(stopped.ok());
    auto second = recovery_config(after, state_backend_kind::heap, dir, false);
    second.checkpointing.restore = "latest";
    auto result = run_job(second, dir, [](std::int64_t) {});
    REQUIRE_MESSAGE(result.ok(), result.error());
    CHECK(committed_lines(dir.path() / "out") == expected);
  }
}

TEST_CASE("with --local-recovery a restart restores the keyed state from the local copies") {
  for (auto backend : {state_backend_kind::heap, state_backend_kind::rocksdb}) {
    CAPTURE(to_string(backend));
    temp_dir dir;
    const auto before = local_snapshot_store::counts();
    CHECK(run_failing_once(backend, dir, [] {}) == expected_lines());
    const auto after = local_snapshot_store::counts();
    CHECK(after.local - before.local == keyed_subtasks);
    CHECK(after.checkpoint_dir == before.checkpoint_dir);
  }
}

TEST_CASE("with --local-recovery and the local copies gone, a restart restores from the "
          "checkpoint directory") {
  for (auto backend : {state_backend_kind::heap, state_backend_kind::rocksdb}) {
    CAPTURE(to_string(backend));
    temp_dir dir;
    // The job's copies move away and a file takes their place, so that no later checkpoint's
    // copy can be kept either: whichever checkpoint the restart restores has none.
    const auto copies = fs::path(local_snapshot_store::root(dir / "state")) / "recovery";
    const auto before = local_snapshot_store::counts();
    CHECK(run_failing_once(backend, dir, [copies] {
            fs::rename(copies, copies.string() + ".gone");
            std::ofstream(copies) << "not a directory";
          }) == expected_lines());
    const auto after = local_snapshot_store::counts();
    CHECK(after.local == before.local);
    CHECK(after.checkpoint_dir - before.checkpoint_dir == keyed_subtasks);
  }
}
