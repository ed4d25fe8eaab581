// Unaligned checkpoints under backpressure: a source feeding a slow map through deep credit
// queues. Aligned barriers wait behind the queued batches and time out; unaligned ones
// overtake them (the overtaken batches are stored with the checkpoint), so they complete, and
// after a failure the restored in-flight data gives exactly the failure-free output.

#include "../temp_dir.hpp"
#include "job_test_util.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace sluice;
using sluice::test::committed_lines;
using sluice::test::temp_dir;
using sluice::test::test_config;

namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t records = 10000;

struct checkpoint_counts {
  std::int64_t completed = 0;
  std::int64_t failed = 0;
  std::int64_t with_in_flight_data = 0; ///< completed ones that stored in-flight batches
};

/// Completed checkpoints on disk and, since ids count every trigger and the last one (the
/// final checkpoint) completed, how many failed.
checkpoint_counts count_checkpoints(const fs::path& job_dir) {
  checkpoint_counts out;
  std::int64_t highest = 0;
  for (const auto& e : fs::directory_iterator(job_dir)) {
    const auto name = e.path().filename().string();
    if (name.rfind("chk-", 0) != 0 || !fs::exists(e.path() / "_metadata"))
      continue;
    ++out.completed;
    std::ifstream in(e.path() / "_metadata");
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    out.with_in_flight_data += text.find("\"in-flight") != std::string::npos;
    highest = std::max<std::int64_t>(highest, std::stoll(name.substr(4)));
  }
  out.failed = highest - out.completed;
  return out;
}

/// The backpressured job's configuration: deep queues, checkpoints every 50 ms into dir/chk;
/// unaligned ones start aligned for `aligned_timeout_ms` if not 0.
job_config backpressured_config(bool unaligned, const temp_dir& dir,
                                std::int64_t aligned_timeout_ms = 0) {
  auto cfg = test_config(1, 1024);
  cfg.chaining = false;
  cfg.exclusive_credits = 30;
  cfg.floating_credits = 0;
  cfg.checkpointing.interval_ms = 50;
  cfg.checkpointing.timeout_ms = 600;
  cfg.checkpointing.tolerable_failures = 1000;
  cfg.checkpointing.retained = 1000;
  cfg.checkpointing.unaligned = unaligned;
  cfg.checkpointing.aligned_timeout_ms = aligned_timeout_ms;
  cfg.checkpointing.checkpoint_dir = dir / "chk";
  cfg.restart.kind = restart_strategy_kind::fixed_delay;
  cfg.restart.attempts = 2;
  cfg.restart.delay_ms = 10;
  return cfg;
}

/// Builds source -> slow map into `env`; the map throws once at record `fail_at` (if >= 0).
data_stream<std::int64_t> slow_stream(environment& env, std::int64_t fail_at,
                                      std::shared_ptr<std::atomic<bool>> failed) {
  return env.from_source(make_generator_source(
                             [](std::uint64_t i) { return static_cast<std::int64_t>(i); }, records))
      .map([failed, fail_at](std::int64_t v) {
             std::this_thread::sleep_for(std::chrono::microseconds(300));
             if (v == fail_at && !failed->exchange(true))
               throw std::runtime_error("injected failure");
             return v;
           }, "slow");
}

/// Runs source -> slow map -> sink with deep queues; the map throws once at record `fail_at` (if
/// >= 0). With `file_output`, the sink is the exactly-once file sink writing to dir/out (its
/// pre-commits fsync, so they are left out where checkpoint durations matter). Returns the
/// checkpoint counts.
checkpoint_counts run(bool unaligned, std::int64_t fail_at, bool file_output,
                      const temp_dir& dir, std::int64_t aligned_timeout_ms = 0) {
  auto cfg = backpressured_config(unaligned, dir, aligned_timeout_ms);
  auto failed = std::make_shared<std::atomic<bool>>(false);
  environment env(cfg);
  auto slow = slow_stream(env, fail_at, failed);
  if (file_output)
    slow.sink_to(text_file_sink<std::int64_t>{dir / "out"});
  else
    slow.sink_to(discarding_sink<std::int64_t>{});
  auto result = env.execute("backpressured");
  REQUIRE_MESSAGE(result.ok(), result.error());
  if (fail_at >= 0)
    CHECK(failed->load());
  return count_checkpoints(dir.path() / "chk" / "backpressured");
}

std::vector<std::string> all_records() {
  std::vector<std::string> lines;
  for (std::uint64_t i = 0; i < records; ++i)
    lines.push_back(std::to_string(i));
  std::sort(lines.begin(), lines.end());
  return lines;
}

} // namespace

TEST_CASE("under backpressure aligned checkpoints time out and unaligned ones complete") {
  temp_dir aligned_dir;
  const auto aligned = run(false, -1, false, aligned_dir);
  CHECK(aligned.failed >= 3);

  temp_dir unaligned_dir;
  const auto unaligned = run(true, -1, false, unaligned_dir);
  CHECK(unaligned.completed >= 5);
  CHECK(unaligned.failed == 0);
  CHECK(unaligned.with_in_flight_data >= 1);
}

TEST_CASE("a job restored from unaligned checkpoints replays their in-flight data once") {
  temp_dir dir;
  const auto counts = run(true, 6000, true, dir);
  CHECK(counts.with_in_flight_data >= 1);
  CHECK(committed_lines(dir.path() / "out") == all_records());
}

TEST_CASE("with an aligned checkpoint timeout, backpressured checkpoints switch to unaligned") {
  temp_dir dir;
  const auto counts = run(true, 6000, true, dir, 5);
  CHECK(counts.completed >= 3);
  CHECK(counts.with_in_flight_data >= 1);
  CHECK(committed_lines(dir.path() / "out") == all_records());
}

TEST_CASE("more consecutive checkpoint failures than tolerated fail the job without restarts") {
  temp_dir dir;
  auto cfg = backpressured_config(false, dir);
  cfg.checkpointing.timeout_ms = 100;
  cfg.checkpointing.tolerable_failures = 0;
  cfg.restart = {};
  cfg.restart.kind = restart_strategy_kind::none;
  environment env(cfg);
  slow_stream(env, -1, std::make_shared<std::atomic<bool>>(false))
      .sink_to(discarding_sink<std::int64_t>{});
  auto result = env.execute("backpressured");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().find("failed (expired)") != std::string::npos);
  CHECK(result.error().find("more consecutive checkpoint failures than tolerated (0)") !=
        std::string::npos);
}
