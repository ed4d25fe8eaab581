// Aligned exactly-once checkpoints on the embedded local cluster at parallelism 1, 2 and 4:
// generator -> key_by -> rolling count -> exactly-once text file sink with periodic checkpoints.
// Completed checkpoints are on disk (within the retention), the committed output equals the
// counts computed here from the input, and no in-progress or pending file is left.

#include "../temp_dir.hpp"
#include "job_test_util.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

using namespace sluice;
using sluice::test::committed_lines;
using sluice::test::temp_dir;
using sluice::test::test_config;

namespace {

namespace fs = std::filesystem;
using counted = std::pair<std::int64_t, std::int64_t>; // key, count

constexpr std::uint64_t records = 6000;
constexpr std::int64_t keys = 23;

std::int64_t value_at(std::uint64_t i) { return static_cast<std::int64_t>((i * 7919) % 100003); }

/// "key,n" for n = 1..(records of the key), computed from the input alone.
std::vector<std::string> expected_lines() {
  std::map<std::int64_t, std::int64_t> per_key;
  for (std::uint64_t i = 0; i < records; ++i)
    ++per_key[value_at(i) % keys];
  std::vector<std::string> lines;
  for (const auto& [key, n] : per_key)
    for (std::int64_t c = 1; c <= n; ++c)
      lines.push_back(std::to_string(key) + "," + std::to_string(c));
  std::sort(lines.begin(), lines.end());
  return lines;
}

std::size_t dot_files(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir))
    n += e.path().filename().string().front() == '.';
  return n;
}

/// Runs the job at parallelism `p` with periodic checkpoints in `mode` (unaligned or not):
/// checkpoints complete (within the retention), and the committed output is the expected one
/// with no leftovers.
void check_checkpointed_count(int p, checkpointing_mode mode, bool unaligned = false) {
  CAPTURE(p);
  temp_dir tmp;
  auto cfg = test_config(p, 256);
  cfg.source_rate = 30000;
  cfg.checkpointing.interval_ms = 20;
  cfg.checkpointing.retained = 2;
  cfg.checkpointing.mode = mode;
  cfg.checkpointing.unaligned = unaligned;
  cfg.checkpointing.checkpoint_dir = tmp / "chk";
  environment env(cfg);
  env.from_source(make_generator_source(value_at, records))
      .map([](std::int64_t v) { return counted{v % keys, 1}; })
      .key_by([](const counted& c) { return c.first; })
      .reduce([](counted a, const counted& b) { return counted{a.first, a.second + b.second}; })
      .sink_to(text_file_sink<counted>{tmp / "out"});
  auto result = env.execute("checkpointed count");
  REQUIRE(result.ok());

  const fs::path job_dir = tmp.path() / "chk" / "checkpointed_count";
  std::size_t completed = 0;
  std::size_t chk_dirs = 0;
  for (const auto& e : fs::directory_iterator(job_dir)) {
    if (e.path().filename().string().rfind("chk-", 0) != 0)
      continue;
    ++chk_dirs;
    completed += fs::exists(e.path() / "_metadata");
  }
  CHECK(completed >= 1); // at least the final checkpoint
  CHECK(completed <= 2);
  CHECK(chk_dirs == completed);
  CHECK(committed_lines(tmp.path() / "out") == expected_lines());
  CHECK(dot_files(tmp.path() / "out") == 0);
}

} // namespace

TEST_CASE("periodic aligned checkpoints complete and the file sink commits exactly once") {
  for (int p : {1, 2, 4})
    check_checkpointed_count(p, checkpointing_mode::exactly_once);
}

TEST_CASE("at-least-once checkpoints (no alignment) complete and commit the output") {
  for (int p : {1, 2, 4})
    check_checkpointed_count(p, checkpointing_mode::at_least_once);
}

TEST_CASE("--restore refuses state that matches no operator unless allowed") {
  temp_dir tmp;
  auto run = [&](const std::string& source_uid, const std::string& restore, bool allow) {
    auto cfg = test_config(2, 256);
    cfg.checkpointing.interval_ms = 1000;
    cfg.checkpointing.checkpoint_dir = tmp / "chk";
    cfg.checkpointing.restore = restore;
    cfg.checkpointing.allow_non_restored_state = allow;
    environment env(cfg);
    env.from_source(make_generator_source(value_at, 100), "numbers")
        .uid(source_uid)
        .sink_to(discarding_sink<std::int64_t>{});
    return env.execute("uids");
  };
  REQUIRE(run("numbers-v1", "", false).ok());
  CHECK(run("numbers-v1", "latest", false).ok());
  auto refused = run("numbers-v2", "latest", false);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().find("'numbers-v1' matches no operator") != std::string::npos);
  CHECK(run("numbers-v2", "latest", true).ok());
  auto missing = run("numbers-v1", (tmp / "chk") + "/uids/chk-999", false);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().find("chk-999") != std::string::npos);
}

TEST_CASE("unaligned checkpoints complete and commit the output") {
  for (int p : {1, 2, 4})
    check_checkpointed_count(p, checkpointing_mode::exactly_once, true);
}
