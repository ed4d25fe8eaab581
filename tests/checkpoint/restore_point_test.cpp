// --restore PATH|latest: the newest usable checkpoint with a fallback past corrupt or incomplete
// ones (each reported), explicit checkpoint and savepoint paths, and the errors when nothing
// usable is there.

#include "checkpoint_test_support.hpp"
#include "sluice/checkpoint/metadata_file.hpp"
#include "sluice/checkpoint/restore_point.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

using namespace sluice;
using namespace sluice::test;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// Completed checkpoints 3, 4 and 5 of job-a under `dir`.
checkpoint_storage three_checkpoints(const temp_dir& dir) {
  checkpoint_storage storage(dir.path(), "job-a");
  for (std::int64_t id = 3; id <= 5; ++id)
    complete_checkpoint(storage, id);
  return storage;
}

void truncate_metadata(const checkpoint_storage& storage, std::int64_t id) {
  const auto file = storage.checkpoint_path(id) / "_metadata";
  const auto text = read_file(file);
  write_file(file, text.substr(0, text.size() / 2));
}

} // namespace

TEST_CASE("latest is the newest completed checkpoint of the job") {
  temp_dir dir;
  auto storage = three_checkpoints(dir);
  storage.create_pending(6); // pending, no _metadata: not a candidate
  checkpoint_storage(dir.path(), "job-b").create_pending(9);
  const auto point = resolve_restore("latest", dir.path(), "job-a");
  CHECK(point.metadata.checkpoint_id == 5);
  CHECK(point.metadata_file == storage.checkpoint_path(5) / "_metadata");
  CHECK(point.metadata == sample_metadata(storage.checkpoint_path(5).string(), 5));
  CHECK(point.warnings.empty());
}

TEST_CASE("latest falls back past a corrupt newest checkpoint and says so") {
  temp_dir dir;
  auto storage = three_checkpoints(dir);
  truncate_metadata(storage, 5);
  const auto point = resolve_restore("latest", dir.path(), "job-a");
  CHECK(point.metadata.checkpoint_id == 4);
  REQUIRE(point.warnings.size() == 1);
  CHECK(contains(point.warnings[0], "checkpoint chk-5 is unusable, falling back to chk-4: "));
  CHECK(
      contains(point.warnings[0], "'" + (storage.checkpoint_path(5) / "_metadata").string() + "'"));
  CHECK(contains(point.warnings[0], "not valid JSON"));
}

TEST_CASE("latest falls back past checkpoints whose state files are missing") {
  temp_dir dir;
  auto storage = three_checkpoints(dir);
  const auto lost = storage.checkpoint_path(5) / "count-1.kg";
  fs::remove(lost);
  const auto op_state = storage.checkpoint_path(4) / "op-0-4.state";
  fs::remove(op_state);
  const auto point = resolve_restore("latest", dir.path(), "job-a");
  CHECK(point.metadata.checkpoint_id == 3);
  REQUIRE(point.warnings.size() == 2);
  CHECK(contains(point.warnings[0], "chk-5 is unusable, falling back to chk-4"));
  CHECK(contains(point.warnings[0], "state file '" + lost.string() + "' referenced by '" +
                                        (storage.checkpoint_path(5) / "_metadata").string() +
                                        "' is missing"));
  CHECK(contains(point.warnings[1], "chk-4 is unusable, falling back to chk-3"));
  CHECK(contains(point.warnings[1], op_state.string()));
}

TEST_CASE("a state file of another size than recorded is corrupt: latest falls back, a path fails") {
  temp_dir dir;
  auto storage = three_checkpoints(dir);
  const auto cut = storage.checkpoint_path(5) / "count-0.kg"; // 100 bytes written
  fs::resize_file(cut, 60);
  const auto grown = storage.checkpoint_path(4) / "op-0-4.state"; // 40 bytes written
  write_file(grown, std::string(41, 's'));
  const auto point = resolve_restore("latest", dir.path(), "job-a");
  CHECK(point.metadata.checkpoint_id == 3);
  REQUIRE(point.warnings.size() == 2);
  CHECK(contains(point.warnings[0], "chk-5 is unusable, falling back to chk-4"));
  CHECK(contains(point.warnings[0], "state file '" + cut.string() + "' referenced by '" +
                                        (storage.checkpoint_path(5) / "_metadata").string() +
                                        "' is corrupt: 60 bytes, 100 written"));
  CHECK(contains(point.warnings[1], "state file '" + grown.string() + "'"));
  CHECK(contains(point.warnings[1], "is corrupt: 41 bytes, 40 written"));
  CHECK(contains(
      error_of([&] { resolve_restore(storage.checkpoint_path(5).string(), dir.path(), "job-a"); }),
      "state file '" + cut.string() + "' referenced by"));
}

TEST_CASE("latest passes over a _metadata that describes another checkpoint") {
  temp_dir dir;
  auto storage = three_checkpoints(dir);
  fs::copy_file(storage.checkpoint_path(4) / "_metadata", storage.checkpoint_path(5) / "_metadata",
                fs::copy_options::overwrite_existing);
  const auto point = resolve_restore("latest", dir.path(), "job-a");
  CHECK(point.metadata.checkpoint_id == 4);
  REQUIRE(point.warnings.size() == 1);
  CHECK(contains(point.warnings[0], "describes checkpoint 4 of job 'job-a'"));
}

TEST_CASE("latest with nothing usable is an error naming the job's directory and each reason") {
  temp_dir dir;
  auto storage = three_checkpoints(dir);
  for (std::int64_t id = 3; id <= 5; ++id)
    truncate_metadata(storage, id);
  const auto message = error_of([&] { resolve_restore("latest", dir.path(), "job-a"); });
  CHECK(contains(message, "no usable completed checkpoint of job 'job-a' in '" +
                              storage.job_dir().string() + "' (--restore latest)"));
  for (const char* name : {"; chk-5: ", "; chk-4: ", "; chk-3: "})
    CHECK(contains(message, name));
}

TEST_CASE("latest without any completed checkpoint or without a checkpoint dir is an error") {
  temp_dir dir;
  checkpoint_storage(dir.path(), "job-a").create_pending(1);
  CHECK(error_of([&] { resolve_restore("latest", dir.path(), "job-a"); }) ==
        "no completed checkpoint of job 'job-a' in '" + (dir.path() / "job-a").string() +
            "' to restore (--restore latest)");
  CHECK(error_of([&] { resolve_restore("latest", "", "job-a"); }) ==
        "--restore latest needs --checkpoint-dir (where to look)");
}

TEST_CASE("an explicit path may be a checkpoint directory, a savepoint or a _metadata file") {
  temp_dir dir;
  auto storage = three_checkpoints(dir);
  const auto by_dir = resolve_restore(storage.checkpoint_path(4).string(), "", "job-z");
  CHECK(by_dir.metadata.checkpoint_id == 4);
  CHECK(by_dir.metadata_file == storage.checkpoint_path(4) / "_metadata");
  const auto by_file =
      resolve_restore((storage.checkpoint_path(3) / "_metadata").string(), dir.path(), "job-a");
  CHECK(by_file.metadata.checkpoint_id == 3);
  CHECK(by_file.warnings.empty());

  const auto savepoint = create_savepoint_dir(dir.path() / "savepoints", "job-a", 8);
  auto m = sample_metadata(savepoint.string(), 8);
  m.kind = snapshot_kind::savepoint;
  write_state_files(m);
  write_metadata_file(savepoint, m);
  const auto from_savepoint = resolve_restore(savepoint.string(), "", "job-b");
  CHECK(from_savepoint.metadata == m);
}

TEST_CASE("an explicit path that is missing, empty or corrupt is an error naming it, no fallback") {
  temp_dir dir;
  auto storage = three_checkpoints(dir);
  const auto missing = (dir.path() / "nope").string();
  CHECK(error_of([&] { resolve_restore(missing, dir.path(), "job-a"); }) ==
        "restore path '" + missing + "' does not exist");

  const auto pending = storage.create_pending(6);
  CHECK(error_of([&] { resolve_restore(pending.string(), dir.path(), "job-a"); }) ==
        "restore path '" + pending.string() +
            "' holds no _metadata (not a completed checkpoint or savepoint)");

  truncate_metadata(storage, 5);
  const auto corrupt = storage.checkpoint_path(5);
  const auto message = error_of([&] { resolve_restore(corrupt.string(), dir.path(), "job-a"); });
  CHECK(contains(message, "checkpoint metadata file '" + (corrupt / "_metadata").string() +
                              "' is not valid JSON"));

  const auto state = storage.checkpoint_path(4) / "count-0.kg";
  fs::remove(state);
  CHECK(contains(
      error_of([&] { resolve_restore(storage.checkpoint_path(4).string(), dir.path(), "job-a"); }),
      "state file '" + state.string() + "' referenced by"));
}
