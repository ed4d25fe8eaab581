// Savepoints on the embedded local cluster (issue 5): taken through job_client at a position
// the test controls (a source that stops at record K until the test opens its gate), with and
// without periodic checkpoints, restored at another parallelism, stop with savepoint with and
// without drain, and the errors a request can meet. Expected outputs are computed here.

#include "../temp_dir.hpp"
#include "gated_jobs.hpp"
#include "job_test_util.hpp"
#include "sluice/checkpoint/metadata_file.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace sluice;
using namespace sluice::test;

namespace {

namespace fs = std::filesystem;

constexpr std::int64_t gate_at = 2250; // the records before it precede the savepoint

/// Starts the running sums into `sink`.
std::unique_ptr<job_client> start_sums(const job_config& cfg, std::shared_ptr<gate> g,
                                       const collecting_sink<std::string>& sink,
                                       const std::string& uid = "running-sum") {
  environment env(cfg);
  sums(env, std::move(g), uid).sink_to(sink);
  return env.execute_async("savepoints");
}

job_config sums_config(int p, state_backend_kind backend) {
  auto cfg = test_config(p, 256);
  cfg.state.kind = backend;
  return cfg;
}

/// Runs the job at `before` until the gate, takes a savepoint, lets the job finish (its output
/// is complete), then restores a job at `after` from the savepoint: its output and the first
/// job's output before the savepoint make every expected line once.
void check_savepoint_and_rescale(state_backend_kind backend, int before, int after,
                                 const job_config& base) {
  CAPTURE(before);
  CAPTURE(after);
  temp_dir dir;
  auto cfg = base;
  cfg.parallelism = before;
  cfg.state.kind = backend;
  auto g = std::make_shared<gate>(gate_at);
  collecting_sink<std::string> first_out;
  auto first = start_sums(cfg, g, first_out);
  g->wait_reached();
  const auto savepoint = first->trigger_savepoint(dir / "savepoints");
  g->open();
  auto result = first->wait();
  REQUIRE_MESSAGE(result.ok(), result.error());
  CHECK(fs::path(savepoint).parent_path() == dir.path() / "savepoints");
  CHECK(fs::path(savepoint).filename().string().rfind("savepoint-savepoints-", 0) == 0);
  CHECK(fs::exists(fs::path(savepoint) / "_metadata"));
  CHECK(sorted(first_out.results()) == expected_sums());

  auto second_cfg = base;
  second_cfg.parallelism = after;
  second_cfg.state.kind = backend;
  second_cfg.checkpointing.restore = savepoint;
  collecting_sink<std::string> second_out;
  auto second = start_sums(second_cfg, open_gate(), second_out);
  auto restored = second->wait();
  REQUIRE_MESSAGE(restored.ok(), restored.error());
  auto combined = second_out.results();
  for (const auto& line : first_out.results())
    if (index_of(line) < gate_at)
      combined.push_back(line);
  CHECK(sorted(combined) == expected_sums());
}

void check_rescaling(state_backend_kind backend, const job_config& base) {
  for (auto [before, after] : {std::pair{2, 3}, std::pair{3, 2}})
    check_savepoint_and_rescale(backend, before, after, base);
}

/// Counts the checkpoints and savepoints that completed (notified to a sink subtask) and lets
/// a test wait for them.
class completions {
public:
  void add(std::int64_t id) {
    std::lock_guard<std::mutex> guard(mutex_);
    highest_ = std::max(highest_, id);
    changed_.notify_all();
  }
  void wait_beyond(std::int64_t id) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return highest_ > id; });
  }

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::int64_t highest_ = 0;
};

/// A sink that reports every completed checkpoint to `completions`.
class completion_sink final : public copyable_sink<completion_sink, std::string> {
public:
  explicit completion_sink(std::shared_ptr<completions> c) : completions_(std::move(c)) {}
  void write(std::string&&) override {}
  void notify_checkpoint_complete(std::int64_t id) override { completions_->add(id); }

private:
  std::shared_ptr<completions> completions_;
};

/// The id in a savepoint directory's name (savepoint-<job>-<id>).
std::int64_t savepoint_id(const std::string& dir) {
  const auto name = fs::path(dir).filename().string();
  return std::stoll(name.substr(name.rfind('-') + 1));
}

/// The statistics of a job with keyed state and periodic checkpoints that took savepoint
/// `savepoint` (2 running-sum subtasks, and 1 subtask each of the other vertices).
void check_statistics(const std::vector<checkpoint_stats>& stats, std::int64_t savepoint) {
  REQUIRE(stats.size() >= 3);
  bool savepoint_listed = false;
  std::int64_t previous = 0;
  for (const auto& s : stats) {
    CAPTURE(s.checkpoint_id);
    CHECK(s.checkpoint_id > previous);
    previous = s.checkpoint_id;
    CHECK(s.status == checkpoint_status::completed);
    CHECK(s.kind == (s.checkpoint_id == savepoint ? snapshot_kind::savepoint
                                                  : snapshot_kind::checkpoint));
    savepoint_listed |= s.checkpoint_id == savepoint;
    CHECK(s.duration_ms(0) >= 0);
    CHECK(s.acks.size() == s.expected_acks);
    CHECK(s.state_bytes() > 0); // the source's position and the running sums
    CHECK(s.max_alignment_ms() >= 0);
    CHECK(s.max_start_delay_ms() >= 0);
    for (const auto& a : s.acks) {
      CHECK(a.ack_ms >= a.measured.start_delay_ms);
      CHECK(a.measured.in_flight_bytes == 0); // aligned
    }
  }
  CHECK(savepoint_listed);
}

// -- windows ------------------------------------------------------------------------------------

/// The windowed job at parallelism 2 into the exactly-once file sink into `out`.
std::unique_ptr<job_client> start_windows(const job_config& cfg, std::shared_ptr<gate> g,
                                          const std::string& out) {
  environment env(cfg);
  windows(env, std::move(g)).sink_to(text_file_sink<std::string>{out});
  return env.execute_async("windows");
}

job_config windows_config(state_backend_kind backend, const temp_dir& dir) {
  auto cfg = test_config(2, 256);
  cfg.state.kind = backend;
  cfg.checkpointing.savepoint_dir = dir / "savepoints";
  return cfg;
}

/// The window start of a window line.
std::int64_t window_of(const std::string& line) {
  const auto comma = line.find(',');
  return std::stoll(line.substr(comma + 1, line.find(',', comma + 1) - comma - 1));
}

void check_stop_without_drain(state_backend_kind backend) {
  temp_dir dir;
  auto g = std::make_shared<gate>(gate_at);
  auto first = start_windows(windows_config(backend, dir), g, dir / "out");
  g->wait_reached();
  const auto savepoint = first->stop_with_savepoint("", false);
  auto result = first->wait();
  REQUIRE_MESSAGE(result.ok(), result.error());
  CHECK(fs::path(savepoint).parent_path() == dir.path() / "savepoints");
  const auto before = committed_lines(dir.path() / "out");
  // The window of the last records before the savepoint did not fire.
  const auto open_window = (gate_at - 1) / window_ms * window_ms;
  for (const auto& line : before)
    CHECK(window_of(line) < open_window);

  // Without checkpointing the file sink truncates its part files when it opens: the restored
  // job writes elsewhere, so that the windows the first job fired (those a periodic watermark
  // closed before the stop) stay.
  auto cfg = windows_config(backend, dir);
  cfg.checkpointing.restore = savepoint;
  auto second = start_windows(cfg, open_gate(), dir / "restored");
  auto restored = second->wait();
  REQUIRE_MESSAGE(restored.ok(), restored.error());
  auto all = committed_lines(dir.path() / "restored");
  all.insert(all.end(), before.begin(), before.end());
  std::sort(all.begin(), all.end());
  CHECK(all == expected_windows()); // every window fired once, by one of the two jobs
}

void check_stop_with_drain(state_backend_kind backend) {
  temp_dir dir;
  auto g = std::make_shared<gate>(gate_at);
  auto job = start_windows(windows_config(backend, dir), g, dir / "out");
  g->wait_reached();
  job->stop_with_savepoint(dir / "drained", true);
  auto result = job->wait();
  REQUIRE_MESSAGE(result.ok(), result.error());
  CHECK(committed_lines(dir.path() / "out") == expected_windows(gate_at));
}

} // namespace

TEST_CASE("a savepoint without periodic checkpoints restores at another parallelism (heap)") {
  check_rescaling(state_backend_kind::heap, sums_config(1, state_backend_kind::heap));
}

TEST_CASE("a savepoint without periodic checkpoints restores at another parallelism (rocksdb)") {
  check_rescaling(state_backend_kind::rocksdb, sums_config(1, state_backend_kind::rocksdb));
}

TEST_CASE("stop with savepoint without drain fires no window, and its restore fires them once") {
  check_stop_without_drain(state_backend_kind::heap);
  check_stop_without_drain(state_backend_kind::rocksdb);
}

TEST_CASE("stop with savepoint and drain fires every window before the job ends") {
  check_stop_with_drain(state_backend_kind::heap);
  check_stop_with_drain(state_backend_kind::rocksdb);
}

TEST_CASE("a savepoint request without a directory and without --savepoint-dir is refused") {
  auto g = std::make_shared<gate>(gate_at);
  collecting_sink<std::string> out;
  auto job = start_sums(sums_config(1, state_backend_kind::heap), g, out);
  g->wait_reached();
  std::string error;
  try {
    job->trigger_savepoint("");
  } catch (const checkpoint_error& e) {
    error = e.what();
  }
  CHECK(error == "no savepoint of job 'savepoints': no savepoint directory: name one in the "
                 "request or start the job with --savepoint-dir");
  g->open();
  // Waited for on another thread than the one that asked for the savepoint.
  job_result result;
  std::thread waiter([&] { result = job->wait(); });
  waiter.join();
  REQUIRE_MESSAGE(result.ok(), result.error());
  CHECK(sorted(out.results()) == expected_sums());
  std::string after_end;
  try {
    job->trigger_savepoint("/nonexistent");
  } catch (const checkpoint_error& e) {
    after_end = e.what();
  }
  CHECK(after_end == "no savepoint: the job is not running");
}

TEST_CASE("a savepoint outlives checkpoint retention and its checkpoint directory, and the "
          "statistics list it among the checkpoints (both backends)") {
  for (auto backend : {state_backend_kind::heap, state_backend_kind::rocksdb}) {
    CAPTURE(to_string(backend));
    temp_dir dir;
    auto cfg = sums_config(2, backend);
    cfg.checkpointing.interval_ms = 10;
    cfg.checkpointing.retained = 1;
    cfg.checkpointing.checkpoint_dir = dir / "chk";
    cfg.checkpointing.savepoint_dir = dir / "savepoints";
    auto g = std::make_shared<gate>(gate_at);
    auto done = std::make_shared<completions>();
    collecting_sink<std::string> out;
    std::string savepoint;
    {
      environment env(cfg);
      auto lines = sums(env, g);
      lines.sink_to(out);
      lines.sink_to(completion_sink{done});
      auto job = env.execute_async("savepoints");
      g->wait_reached();
      savepoint = job->trigger_savepoint("");
      // Periodic checkpoints go on while the source waits: two more than retained complete.
      done->wait_beyond(savepoint_id(savepoint) + 1);
      g->open();
      auto result = job->wait();
      REQUIRE_MESSAGE(result.ok(), result.error());
      CHECK(sorted(out.results()) == expected_sums());
      check_statistics(job->completed_checkpoints(), savepoint_id(savepoint));
    }
    CHECK(fs::exists(fs::path(savepoint) / "_metadata"));
    // Full, whatever the periodic checkpoints are (RocksDB's are incremental by default).
    const auto metadata = read_metadata_file(fs::path(savepoint) / "_metadata");
    CHECK(metadata.shared_files().empty());
    fs::remove_all(dir.path() / "chk");

    auto restore = sums_config(3, backend);
    restore.checkpointing.restore = savepoint;
    collecting_sink<std::string> restored_out;
    auto second = start_sums(restore, open_gate(), restored_out);
    auto restored = second->wait();
    REQUIRE_MESSAGE(restored.ok(), restored.error());
    CHECK(sorted(restored_out.results()) == expected_sums(gate_at));
  }
}

TEST_CASE("a savepoint whose operator uid matches no operator is refused unless "
          "--allow-non-restored-state") {
  temp_dir dir;
  auto g = std::make_shared<gate>(gate_at);
  collecting_sink<std::string> out;
  auto first = start_sums(sums_config(2, state_backend_kind::heap), g, out);
  g->wait_reached();
  const auto savepoint = first->trigger_savepoint(dir / "savepoints");
  g->open();
  REQUIRE(first->wait().ok());

  auto cfg = sums_config(2, state_backend_kind::heap);
  cfg.checkpointing.restore = savepoint;
  collecting_sink<std::string> refused_out;
  auto refused = start_sums(cfg, open_gate(), refused_out, "renamed-sum")->wait();
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().find("the state of operator(s) 'running-sum' matches no operator") !=
        std::string::npos);

  cfg.checkpointing.allow_non_restored_state = true;
  collecting_sink<std::string> fresh_out;
  auto dropped = start_sums(cfg, open_gate(), fresh_out, "renamed-sum")->wait();
  REQUIRE_MESSAGE(dropped.ok(), dropped.error());
  // The sums restart from zero; the source still resumes after the savepoint.
  std::map<std::int64_t, std::int64_t> sum;
  std::vector<std::string> expected;
  for (std::int64_t i = gate_at; i < records; ++i)
    expected.push_back(line_of(i, key_of(i), sum[key_of(i)] += value_of(i)));
  CHECK(sorted(fresh_out.results()) == sorted(expected));
}
