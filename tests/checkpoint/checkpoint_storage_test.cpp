// The on-disk layout of checkpoints: chk-N directories under the job's directory, `_metadata`
// written atomically with state paths relative to its directory, listing, retention,
// discarding, and savepoint directories.

#include "checkpoint_test_support.hpp"
#include "sluice/checkpoint/metadata_file.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

using namespace sluice;
using namespace sluice::test;
namespace fs = std::filesystem;

TEST_CASE("checkpoint paths follow <checkpoint-dir>/<job-id>/chk-N and shared/") {
  checkpoint_storage storage("/ckpt", "job-a");
  CHECK(storage.job_dir() == fs::path("/ckpt/job-a"));
  CHECK(storage.shared_dir() == fs::path("/ckpt/job-a/shared"));
  CHECK(storage.checkpoint_path(12) == fs::path("/ckpt/job-a/chk-12"));
  for (const char* bad : {"", ".", "..", "a/b"})
    CHECK(error_of([&] { checkpoint_storage("/ckpt", bad); }).find("cannot name a directory") !=
          std::string::npos);
}

TEST_CASE("a pending checkpoint becomes completed when its _metadata is written") {
  temp_dir dir;
  checkpoint_storage storage(dir.path(), "job-a");
  const auto chk = storage.create_pending(3);
  CHECK(chk == dir.path() / "job-a" / "chk-3");
  CHECK(fs::is_directory(chk));
  CHECK(fs::is_directory(storage.shared_dir()));
  CHECK(storage.completed_checkpoints().empty());
  CHECK(storage.highest_checkpoint_id() == 3);

  const auto m = sample_metadata(chk.string(), 3);
  storage.write_metadata(m);
  CHECK(storage.completed_checkpoints() == std::vector<std::int64_t>{3});
  CHECK_FALSE(fs::exists(chk / "_metadata.inprogress"));
  CHECK(read_metadata_file(chk / "_metadata") == m);
}

TEST_CASE("_metadata stores state paths inside its directory relative to it") {
  temp_dir dir;
  auto m = sample_metadata((dir.path() / "sp").string());
  m.operators["count"].subtasks[1].keyed_state->parts[0].path = "/elsewhere/shared.kg";
  fs::create_directories(dir.path() / "sp");
  write_metadata_file(dir.path() / "sp", m);
  const auto j = nlohmann::json::parse(read_file(dir.path() / "sp" / "_metadata"));
  const auto& count = j["operators"]["count"]["subtasks"];
  CHECK(count[0]["keyed_state"]["parts"][0]["path"] == "count-0.kg");
  CHECK(count[1]["keyed_state"]["parts"][0]["path"] == "/elsewhere/shared.kg");
  CHECK(j["operators"]["source"]["subtasks"][0]["operator_state"]["path"] == "op-0-7.state");

  // Moved elsewhere, the directory's own files resolve against its new place.
  fs::rename(dir.path() / "sp", dir.path() / "moved");
  const auto back = read_metadata_file(dir.path() / "moved" / "_metadata");
  const auto moved = (dir.path() / "moved").string();
  CHECK(back.operators.at("count").subtasks.at(0).keyed_state->parts[0].path ==
        moved + "/count-0.kg");
  CHECK(back.operators.at("count").subtasks.at(1).keyed_state->parts[0].path ==
        "/elsewhere/shared.kg");
  CHECK(back.operators.at("source").subtasks.at(0).operator_state->path == moved + "/op-0-7.state");
}

TEST_CASE("writing metadata of another job or a savepoint into the job's storage is refused") {
  temp_dir dir;
  checkpoint_storage storage(dir.path(), "job-a");
  const auto chk = storage.create_pending(7);
  auto other_job = sample_metadata(chk.string());
  other_job.job_id = "job-b";
  CHECK(error_of([&] { storage.write_metadata(other_job); }).find("does not belong in") !=
        std::string::npos);
  auto savepoint = sample_metadata(chk.string());
  savepoint.kind = snapshot_kind::savepoint;
  CHECK(error_of([&] { storage.write_metadata(savepoint); }).find("savepoint 7") !=
        std::string::npos);
  CHECK(storage.completed_checkpoints().empty());
}

TEST_CASE("metadata that cannot be written or read is an error naming the file") {
  temp_dir dir;
  const auto missing_dir = dir.path() / "no-such-dir";
  CHECK(error_of([&] { write_metadata_file(missing_dir, sample_metadata("/d")); }) ==
        "checkpoint metadata file '" + (missing_dir / "_metadata.inprogress").string() +
            "' cannot be created: No such file or directory");
  CHECK(error_of([&] { read_metadata_file(missing_dir / "_metadata"); }) ==
        "checkpoint metadata file '" + (missing_dir / "_metadata").string() +
            "' cannot be opened (missing or unreadable)");
}

TEST_CASE("completed checkpoints are the chk-N directories holding a _metadata") {
  temp_dir dir;
  checkpoint_storage storage(dir.path(), "job-a");
  for (std::int64_t id : {2, 10, 9})
    complete_checkpoint(storage, id);
  storage.create_pending(11);                                    // pending: no _metadata
  fs::create_directories(storage.job_dir() / "chk-012");         // not a checkpoint name
  fs::create_directories(storage.job_dir() / "chk-x");           // not a checkpoint name
  write_file(storage.job_dir() / "chk-13", "a file, not a dir"); // not a directory
  CHECK(storage.completed_checkpoints() == std::vector<std::int64_t>{2, 9, 10});
  CHECK(storage.highest_checkpoint_id() == 11);
  CHECK(checkpoint_storage(dir.path(), "job-b").completed_checkpoints().empty());
  CHECK_FALSE(checkpoint_storage(dir.path(), "job-b").highest_checkpoint_id());

  write_file(dir.path() / "job-c", "a file where the job's directory should be");
  CHECK(error_of([&] { checkpoint_storage(dir.path(), "job-c").completed_checkpoints(); }) ==
        "checkpoint directory '" + (dir.path() / "job-c").string() +
            "' cannot be listed: Not a directory");
}

TEST_CASE("retention keeps the newest R completed checkpoints") {
  temp_dir dir;
  checkpoint_storage storage(dir.path(), "job-a");
  for (std::int64_t id = 1; id <= 5; ++id)
    complete_checkpoint(storage, id);
  storage.create_pending(6);
  CHECK(storage.apply_retention(3) == std::vector<std::int64_t>{1, 2});
  CHECK(storage.completed_checkpoints() == std::vector<std::int64_t>{3, 4, 5});
  CHECK_FALSE(fs::exists(storage.checkpoint_path(1)));
  CHECK(fs::exists(storage.checkpoint_path(6))); // pending ones are not retention's business
  CHECK(storage.apply_retention(3).empty());
  CHECK(storage.apply_retention(1) == std::vector<std::int64_t>{3, 4});
  CHECK(storage.completed_checkpoints() == std::vector<std::int64_t>{5});
  CHECK(error_of([&] { storage.apply_retention(0); }).find("at least one") != std::string::npos);
}

TEST_CASE("discarding removes a checkpoint's directory, incomplete ones go together") {
  temp_dir dir;
  checkpoint_storage storage(dir.path(), "job-a");
  complete_checkpoint(storage, 1);
  storage.create_pending(2);
  write_file(storage.checkpoint_path(2) / "partial.kg", "half");
  storage.create_pending(3);
  storage.discard(3);
  CHECK_FALSE(fs::exists(storage.checkpoint_path(3)));
  storage.discard(42); // nothing there: nothing happens
  CHECK(storage.discard_incomplete() == std::vector<std::int64_t>{2});
  CHECK_FALSE(fs::exists(storage.checkpoint_path(2)));
  CHECK(storage.completed_checkpoints() == std::vector<std::int64_t>{1});
}

TEST_CASE("a leftover pending directory is emptied, a completed one is never reused") {
  temp_dir dir;
  checkpoint_storage storage(dir.path(), "job-a");
  storage.create_pending(4);
  write_file(storage.checkpoint_path(4) / "stale.kg", "from a crashed run");
  storage.create_pending(4);
  CHECK(fs::is_empty(storage.checkpoint_path(4)));

  complete_checkpoint(storage, 5);
  CHECK(error_of([&] { storage.create_pending(5); }) ==
        "checkpoint directory '" + storage.checkpoint_path(5).string() +
            "' already holds a completed checkpoint");
}

TEST_CASE("savepoint directories are savepoint-<job id>-<id>, never reused") {
  temp_dir dir;
  const auto parent = dir.path() / "savepoints";
  const auto a = create_savepoint_dir(parent, "4f2a9c0e11d3", 7);
  CHECK(a == parent / "savepoint-4f2a9c0e11d3-7");
  CHECK(fs::is_directory(a));
  CHECK(error_of([&] { create_savepoint_dir(parent, "4f2a9c0e11d3", 7); }) ==
        "savepoint directory '" + a.string() + "' cannot be created: it exists already");
  CHECK(create_savepoint_dir(parent, "ab", 7) == parent / "savepoint-ab-7");

  auto m = sample_metadata(a.string());
  m.kind = snapshot_kind::savepoint;
  write_metadata_file(a, m);
  CHECK(read_metadata_file(a / "_metadata") == m);
}
