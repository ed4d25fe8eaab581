// Rescaling a running job on the embedded local cluster (issue 19 §3): a job held at a gate the
// test moves is rescaled 2 -> 3 -> 1 -> 4 through job_client::rescale while it runs; its output
// is exactly that of a run without rescales (computed here from the numbers alone), its
// operators ran at each parallelism in turn, and the source, whose parallelism stays 1, opened
// once: kept in place; the subtasks a rescale replaces snapshot whole at its checkpoint.
// Refused rescales leave the job running unchanged. A rescale's checkpoint counts for retention
// by the time the rescale is answered.

#include "../temp_dir.hpp"
#include "gated_jobs.hpp"
#include "job_test_util.hpp"

#include "sluice/actors/checkpoint_ids.hpp"
#include "sluice/actors/local_snapshot_store.hpp"
#include "sluice/actors/state_handoff.hpp"
#include "sluice/checkpoint/checkpoint_storage.hpp"
#include "sluice/checkpoint/restore_point.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace sluice;
using namespace sluice::test;

namespace {

namespace fs = std::filesystem;

/// What the subtasks of a sink saw, shared by its copies.
struct sink_log {
  std::mutex mutex;
  std::set<int> parallelism; ///< every parallelism a subtask of the sink opened at
  int opens = 0;
  std::vector<std::string> lines;
};

/// Keeps its lines and the parallelism of each subtask that opened.
class logging_sink final : public copyable_sink<logging_sink, std::string> {
public:
  explicit logging_sink(std::shared_ptr<sink_log> log) : log_(std::move(log)) {}
  void open(const runtime_context& ctx) override {
    std::lock_guard<std::mutex> guard(log_->mutex);
    log_->parallelism.insert(ctx.parallelism);
    ++log_->opens;
  }
  void write(std::string&& line) override {
    std::lock_guard<std::mutex> guard(log_->mutex);
    log_->lines.push_back(std::move(line));
  }

private:
  std::shared_ptr<sink_log> log_;
};

job_config rescale_config(state_backend_kind backend, const temp_dir& dir) {
  auto cfg = test_config(2, 256);
  cfg.state.kind = backend;
  cfg.slots = 4;
  cfg.checkpointing.checkpoint_dir = dir / "checkpoints";
  return cfg;
}

/// Where the source stops before each rescale, and the parallelism each rescale asks for.
struct step {
  std::int64_t gate_at;
  int parallelism;
};
const std::vector<step> steps{{1000, 3}, {2500, 1}, {4000, 4}};

/// Lets the job run to each step's gate and rescales it there (the operators chained with uid
/// `vertex`, or all); then lets it finish.
void rescale_through_steps(job_client& job, gate& g, const std::string& vertex) {
  int before = 2;
  for (const auto& s : steps) {
    CAPTURE(s.parallelism);
    g.move_to(s.gate_at);
    g.wait_reached();
    const auto changes = job.rescale(s.parallelism, vertex);
    CHECK(changes.find(std::to_string(before) + " -> " + std::to_string(s.parallelism)) !=
          std::string::npos);
    before = s.parallelism;
  }
  g.open();
}

void check_running_sums(state_backend_kind backend) {

  temp_dir dir;
  auto g = std::make_shared<gate>(0);
  auto log = std::make_shared<sink_log>();
  environment env(rescale_config(backend, dir));
  sums(env, g).sink_to(logging_sink{log});
  const auto before = handoff_restores();
  auto job = env.execute_async("rescaled sums");
  rescale_through_steps(*job, *g, "");
  auto result = job->wait();
  REQUIRE_MESSAGE(result.ok(), result.error());
  CHECK(sorted(log->lines) == expected_sums());
  CHECK(log->parallelism == std::set<int>{1, 2, 3, 4});
  // Each new subtask of the sums restores the old subtasks whose key groups overlap its own:
  // 2 -> 3 four pairs (no boundary of 2 subtasks is one of 3), 3 -> 1 three, 1 -> 4 four. All
  // come from the replaced subtasks' hand-off copies, none from the checkpoint directory; in one
  // process, none is fetched.
  const auto after = handoff_restores();
  CHECK(after.from_copies - before.from_copies == 11);
  CHECK(after.from_checkpoint_dir == before.from_checkpoint_dir);
  CHECK(after.fetched == before.fetched);
  // RocksDB: the key groups a new subtask takes from an old subtask other than its base (the
  // one it overlaps most, the first of equals) were prepared by that old subtask before the
  // stop and are ingested. Of 128 key groups: 2 -> 3 one (new 1, 43..85, takes 43..63 from old
  // 0 and is based on old 1, 64..85); 3 -> 1 two (based on old 0, the first of the two with 43
  // key groups); 1 -> 4 none.
  CHECK(after.ingested - before.ingested == (backend == state_backend_kind::rocksdb ? 3 : 0));
  // The source and its map run at parallelism 1 throughout: kept in place by every rescale.
  CHECK(g->source_opens() == 1);
  // The latest checkpoint is the last rescale's (1 -> 4): the sums it replaced snapshotted
  // whole, sharing no file (incremental checkpoints are on).
  const auto latest = resolve_restore("latest", dir / "checkpoints", job_id_of("rescaled sums"));
  const auto& replaced = latest.metadata.operators.at("running-sum");
  CHECK(replaced.parallelism == 1);
  REQUIRE(replaced.subtasks.size() == 1);
  for (const auto& [index, state] : replaced.subtasks) {
    REQUIRE(state.keyed_state);
    for (const auto& part : state.keyed_state->parts)
      CHECK_FALSE(keyed_state_part::is_incremental(part.kind));
  }
}

/// With periodic checkpoints (`unaligned` or not) and the exactly-once file sink, rescaling only
/// the windows' vertex (uid "windows", with the sink chained to it).
void check_windows(state_backend_kind backend, bool unaligned = false) {
  temp_dir dir;
  auto cfg = rescale_config(backend, dir);
  cfg.checkpointing.interval_ms = 50;
  cfg.checkpointing.unaligned = unaligned;
  auto g = std::make_shared<gate>(0);
  environment env(cfg);
  windows(env, g).sink_to(text_file_sink<std::string>{dir / "out"});
  auto job = env.execute_async("rescaled windows");
  rescale_through_steps(*job, *g, "windows");
  auto result = job->wait();
  REQUIRE_MESSAGE(result.ok(), result.error());
  CHECK(committed_lines(dir.path() / "out") == expected_windows());
  CHECK(g->source_opens() == 1); // its vertex was not rescaled: kept in place
}

/// Event-time windows rescaled by vertex into a sink of parallelism 1: the sink's subtask is
/// kept in place and takes the windows from each rescale's new subtasks (its input rewired,
/// its watermark going on from where it was).
void check_kept_sink(state_backend_kind backend) {
  temp_dir dir;
  auto cfg = rescale_config(backend, dir);
  cfg.checkpointing.interval_ms = 50;
  auto g = std::make_shared<gate>(0);
  auto log = std::make_shared<sink_log>();
  environment env(cfg);
  // Not chained: at parallelism 1 the windows would take the sink into their vertex.
  windows(env, g).sink_to(logging_sink{log}).set_parallelism(1).disable_chaining();
  auto job = env.execute_async("rescaled windows, kept sink");
  rescale_through_steps(*job, *g, "windows");
  auto result = job->wait();
  REQUIRE_MESSAGE(result.ok(), result.error());
  CHECK(sorted(log->lines) == expected_windows());
  CHECK(log->opens == 1);
  CHECK(g->source_opens() == 1);
}

/// The error of a refused rescale (empty if it was not refused).
std::string refusal(job_client& job, int parallelism, const std::string& vertex = "") {
  try {
    job.rescale(parallelism, vertex);
  } catch (const checkpoint_error& e) {
    return e.what();
  }
  return {};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("a running job's keyed running sums rescaled 2 -> 3 -> 1 -> 4 are exact (heap)") {
  check_running_sums(state_backend_kind::heap);
}

TEST_CASE("a running job's keyed running sums rescaled 2 -> 3 -> 1 -> 4 are exact (rocksdb)") {
  check_running_sums(state_backend_kind::rocksdb);
}

TEST_CASE("event-time windows rescaled by vertex with checkpoints commit every window once") {
  check_windows(state_backend_kind::heap);
  check_windows(state_backend_kind::rocksdb);
}

TEST_CASE("a sink downstream of the rescaled windows stays in place and takes every window "
          "once from their new subtasks") {
  check_kept_sink(state_backend_kind::heap);
  check_kept_sink(state_backend_kind::rocksdb);
}

TEST_CASE("a rescale of a job with unaligned checkpoints stops at an aligned checkpoint and "
          "commits every window once") {
  check_windows(state_backend_kind::heap, true);
}

TEST_CASE("the hand-off copies of a rescale go once the job completed a later checkpoint") {
  temp_dir dir;
  auto cfg = rescale_config(state_backend_kind::rocksdb, dir);
  cfg.state.state_dir = dir / "state";
  cfg.checkpointing.interval_ms = 50;
  const fs::path copies =
      fs::path(local_snapshot_store::root(cfg.state.state_dir, copy_purpose::rescale_handoff)) /
      job_id_of("dropped hand-off");
  const auto held = [&] {
    std::error_code ec;
    for (fs::recursive_directory_iterator it(copies, ec), end; !ec && it != end; it.increment(ec))
      if (it->path().filename().string().rfind("chk-", 0) == 0)
        return true;
    return false;
  };
  auto g = std::make_shared<gate>(0);
  environment env(cfg);
  windows(env, g).sink_to(text_file_sink<std::string>{dir / "out"});
  const auto before = handoff_restores();
  auto job = env.execute_async("dropped hand-off");
  g->move_to(1000);
  g->wait_reached();
  job->rescale(3, "windows");
  // The new subtasks restore from the copies after the reply; the job manager drops them once
  // a checkpoint after the rescale's completed (the source waits at the gate meanwhile, and
  // checkpoints go on). Waits for both.
  while (handoff_restores().from_copies == before.from_copies || held())
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(handoff_restores().from_checkpoint_dir == before.from_checkpoint_dir);
  g->open();
  auto result = job->wait();
  REQUIRE_MESSAGE(result.ok(), result.error());
  CHECK(committed_lines(dir.path() / "out") == expected_windows());
}

TEST_CASE("a rescale's checkpoint counts for retention by the time the rescale is answered") {
  temp_dir dir;
  auto cfg = rescale_config(state_backend_kind::rocksdb, dir);
  cfg.checkpointing.retained = 1;
  auto g = std::make_shared<gate>(0);
  auto log = std::make_shared<sink_log>();
  environment env(cfg);
  sums(env, g).sink_to(logging_sink{log});
  auto job = env.execute_async("retained rescales");
  const checkpoint_storage storage(dir / "checkpoints", job_id_of("retained rescales"));
  std::vector<std::int64_t> kept; // after each rescale (no periodic checkpoints: its stop's)
  for (const auto& s : steps) {
    g->move_to(s.gate_at);
    g->wait_reached();
    job->rescale(s.parallelism, "");
    const auto completed = storage.completed_checkpoints();
    CHECK(completed.size() == 1);
    if (!completed.empty())
      kept.push_back(completed.back());
  }
  CHECK(kept.size() == steps.size());
  CHECK(std::is_sorted(kept.begin(), kept.end()));
  CHECK(std::adjacent_find(kept.begin(), kept.end()) == kept.end()); // a new one each time
  g->open();
  auto result = job->wait();
  REQUIRE_MESSAGE(result.ok(), result.error());
  CHECK(sorted(log->lines) == expected_sums());
}

TEST_CASE("a rescale that cannot be done is refused and the job goes on unchanged") {
  temp_dir dir;
  auto g = std::make_shared<gate>(1500);
  auto log = std::make_shared<sink_log>();
  environment env(rescale_config(state_backend_kind::heap, dir));
  sums(env, g).sink_to(logging_sink{log});
  auto job = env.execute_async("refused rescales");
  g->wait_reached();
  CHECK(contains(refusal(*job, 0), "must be at least 1"));
  CHECK(contains(refusal(*job, 129), "exceeds the job's max parallelism 128"));
  CHECK(contains(refusal(*job, 5), "it needs 5 slots, the task managers offer 4"));
  CHECK(contains(refusal(*job, 2), "runs at that parallelism already"));
  const auto unknown = refusal(*job, 3, "no-such-uid");
  CHECK(contains(unknown, "no operator of uid 'no-such-uid'"));
  CHECK(contains(unknown, "'running-sum'"));
  g->open();
  auto result = job->wait();
  REQUIRE_MESSAGE(result.ok(), result.error());
  CHECK(sorted(log->lines) == expected_sums());
  CHECK(log->parallelism == std::set<int>{2});
}

TEST_CASE("a rescale of a job without --checkpoint-dir is refused naming the flag") {
  auto g = std::make_shared<gate>(100);
  auto log = std::make_shared<sink_log>();
  auto cfg = test_config(2, 256);
  cfg.slots = 4;
  environment env(cfg);
  sums(env, g).sink_to(logging_sink{log});
  auto job = env.execute_async("no checkpoint dir");
  g->wait_reached();
  CHECK(contains(refusal(*job, 3), "--checkpoint-dir"));
  g->open();
  auto result = job->wait();
  REQUIRE_MESSAGE(result.ok(), result.error());
  CHECK(sorted(log->lines) == expected_sums());
}
