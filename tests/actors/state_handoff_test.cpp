// A rescale's hand-off copies (state_handoff.hpp): the copies that subtasks a rescale replaces
// keep stand in for the checkpoint's keyed state of exactly those subtasks, also after being
// carried chunk by chunk into another directory (as a fetch from another task manager does);
// a copy of another snapshot or with a file missing is not used and says why; a copy's files
// are served only from inside it; dropping removes the copies up to a checkpoint.

#include "../temp_dir.hpp"

#include "sluice/actors/local_snapshot_store.hpp"
#include "sluice/actors/state_handoff.hpp"
#include "sluice/state/get_keyed_state.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

using namespace sluice;
using sluice::test::temp_dir;

namespace {

namespace fs = std::filesystem;

constexpr int max_parallelism = 128;
constexpr std::int64_t checkpoint = 7;
const std::string uid = "count";

/// The value the snapshots hold for key k.
int value_of(int k) { return 1000 + k; }

/// Checkpoint `checkpoint` of a job whose operator `uid` ran at parallelism 2 (heap, keys
/// 0..199 each holding value_of), with each subtask's hand-off copy kept under dir/state.
struct rescaled_job {
  checkpoint_metadata metadata;
  std::vector<std::string> copies; ///< by old subtask index
};

rescaled_job take_snapshots(const temp_dir& dir) {
  rescaled_job job;
  job.metadata.job_id = "job";
  job.metadata.checkpoint_id = checkpoint;
  job.metadata.state_backend = "heap";
  auto& op = job.metadata.operators[uid];
  op.parallelism = 2;
  op.max_parallelism = max_parallelism;
  state_backend_config config;
  config.state_dir = dir / "state";
  for (int i = 0; i < 2; ++i) {
    const auto name = "count (" + std::to_string(i + 1) + "/2)";
    auto b = make_keyed_state_backend(config, name,
                                      key_group_range_for_subtask(max_parallelism, 2, i),
                                      max_parallelism);
    const value_state_descriptor<int> d("v");
    for (int k = 0; k < 200; ++k)
      if (b->key_groups().contains(key_group_of(k, max_parallelism))) {
        b->set_current_key(k);
        b->get_state(d).update(value_of(k));
      }
    std::map<std::string, subtask_state> states;
    const auto target = fs::path(dir / "checkpoints") / std::to_string(i);
    states[uid].keyed_state = b->snapshot(checkpoint, target);
    op.subtasks[i] = states[uid];
    const local_snapshot_owner owner{"job", 1, i, 2, max_parallelism, {uid}, name};
    const local_snapshot_store store(dir / "state", owner, copy_purpose::rescale_handoff);
    store.keep(checkpoint, states);
    job.copies.push_back(local_snapshot_store::copy_dir(store.dir(), checkpoint));
  }
  return job;
}

/// The keys 0..199 of new subtask `subtask` of 3 and their values, read from a backend
/// restored from `handles`.
std::map<int, int> restored_values(const temp_dir& dir, int subtask,
                                   const std::vector<keyed_state_handle>& handles) {
  state_backend_config config;
  config.state_dir = dir / "state";
  auto b = make_keyed_state_backend(config, "count", key_group_range_for_subtask(
                                                         max_parallelism, 3, subtask),
                                    max_parallelism);
  b->restore(handles);
  const value_state_descriptor<int> d("v");
  std::map<int, int> out;
  for (int k = 0; k < 200; ++k)
    if (b->key_groups().contains(key_group_of(k, max_parallelism))) {
      b->set_current_key(k);
      if (auto v = b->get_state(d).value())
        out[k] = *v;
    }
  return out;
}

std::map<int, int> expected_values(int subtask) {
  const auto mine = key_group_range_for_subtask(max_parallelism, 3, subtask);
  std::map<int, int> out;
  for (int k = 0; k < 200; ++k)
    if (mine.contains(key_group_of(k, max_parallelism)))
      out[k] = value_of(k);
  return out;
}

/// Copies the copy in `from` into `to` through list_copy and read_copy_chunk, 100 bytes at a
/// time.
void carry(const std::string& from, const fs::path& to) {
  const auto listing = list_copy(from);
  for (std::size_t i = 0; i < listing.files.size(); ++i) {
    fs::create_directories((to / listing.files[i]).parent_path());
    std::ofstream out(to / listing.files[i], std::ios::binary);
    for (std::uint64_t offset = 0; offset < listing.sizes[i]; offset += 100) {
      const auto chunk = read_copy_chunk(from, listing.files[i], offset, 100);
      out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    }
  }
}

} // namespace

TEST_CASE("hand-off copies stand in for the keyed state of the subtasks they copy") {
  temp_dir dir;
  const auto job = take_snapshots(dir);
  std::vector<std::string> problems;
  const auto handles = match_handoff_copies(job.copies, job.metadata, {uid, "other"}, problems);
  CHECK(problems.empty());
  REQUIRE(handles.size() == 1);
  REQUIRE(handles.at(uid).size() == 2);
  for (int i = 0; i < 2; ++i)
    for (const auto& part : handles.at(uid).at(i).parts)
      CHECK(part.path.rfind(job.copies[static_cast<std::size_t>(i)], 0) == 0);
  // New subtask 1 of 3 takes key groups of both old subtasks; the checkpoint's files are gone.
  fs::remove_all(dir / "checkpoints");
  CHECK(restored_values(dir, 1, {handles.at(uid).at(0), handles.at(uid).at(1)}) ==
        expected_values(1));
}

TEST_CASE("substituting copies replaces the keyed state of exactly the subtasks copied") {
  temp_dir dir;
  auto job = take_snapshots(dir);
  const auto checkpointed = job.metadata.operators.at(uid).subtasks.at(1).keyed_state;
  std::vector<std::string> problems;
  const auto handles = match_handoff_copies({job.copies[0]}, job.metadata, {uid}, problems);
  CHECK(substitute_handoff_copies(job.metadata, handles) == 1);
  const auto& subtasks = job.metadata.operators.at(uid).subtasks;
  for (const auto& part : subtasks.at(0).keyed_state->parts)
    CHECK(part.path.rfind(job.copies[0], 0) == 0);
  CHECK(subtasks.at(1).keyed_state->parts.front().path ==
        checkpointed->parts.front().path);
  // What the metadata names now restores new subtask 0 of 3 (old subtask 0's key groups only).
  fs::remove_all(fs::path(dir / "checkpoints") / "0");
  CHECK(restored_values(dir, 0, {*subtasks.at(0).keyed_state}) == expected_values(0));
}

TEST_CASE("a copy carried chunk by chunk into another directory restores the same") {
  temp_dir dir;
  const auto job = take_snapshots(dir);
  std::vector<std::string> carried;
  for (int i = 0; i < 2; ++i) {
    carried.push_back(dir / ("fetched-" + std::to_string(i)));
    carry(job.copies[static_cast<std::size_t>(i)], carried.back());
  }
  fs::remove_all(dir / "state");
  fs::remove_all(dir / "checkpoints");
  std::vector<std::string> problems;
  const auto handles = match_handoff_copies(carried, job.metadata, {uid}, problems);
  CHECK(problems.empty());
  REQUIRE(handles.at(uid).size() == 2);
  for (int subtask = 0; subtask < 3; ++subtask)
    CHECK(restored_values(dir, subtask, {handles.at(uid).at(0), handles.at(uid).at(1)}) ==
          expected_values(subtask));
}

TEST_CASE("a copy of another snapshot or with a file missing is not used, and says why") {
  temp_dir dir;
  auto job = take_snapshots(dir);
  // Subtask 0's snapshot in the checkpoint is not the one copied.
  job.metadata.operators.at(uid).subtasks.at(0).keyed_state->parts.front().size_bytes += 1;
  // Subtask 1's copy lost its file.
  for (const auto& entry : fs::recursive_directory_iterator(job.copies[1]))
    if (entry.is_regular_file() && entry.path().filename() != "_metadata")
      fs::remove(entry.path());
  std::vector<std::string> problems;
  const auto handles = match_handoff_copies(job.copies, job.metadata, {uid}, problems);
  CHECK(handles.empty());
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].find("another snapshot") != std::string::npos);
  CHECK(problems[1].find(job.copies[1]) != std::string::npos);
  CHECK(problems[1].find("missing") != std::string::npos);
}

TEST_CASE("a copy serves only its own files") {
  temp_dir dir;
  const auto job = take_snapshots(dir);
  const fs::path secret = dir / "secret";
  fs::create_directories(secret);
  std::ofstream(secret / "key") << "x";
  const auto& copy = job.copies[0];
  CHECK_THROWS_WITH_AS(read_copy_chunk(copy, "../../../../../secret/key", 0, 10),
                       doctest::Contains("is not a file of the copy"), std::runtime_error);
  CHECK_THROWS_AS(read_copy_chunk(copy, (secret / "key").string(), 0, 10),
                  std::runtime_error);
  CHECK_THROWS_WITH_AS(list_copy(dir / "nothing"), doctest::Contains("no copy"),
                       std::runtime_error);
  const auto listing = list_copy(copy);
  REQUIRE_FALSE(listing.files.empty());
  CHECK(read_copy_chunk(copy, listing.files[0], listing.sizes[0], 10).empty());
}

TEST_CASE("dropping hand-off copies removes those up to a checkpoint") {
  temp_dir dir;
  const std::string root = dir / "root";
  const auto job_dir = fs::path(root) / "job";
  for (const auto* sub : {"v1-s0", "v1-s1", "v2-s0-fetched-v1-s0"})
    for (const auto* copy : {"chk-3", "chk-9"})
      fs::create_directories(job_dir / sub / copy);
  fs::create_directories(job_dir / "v3-s0" / "chk-4");
  fs::create_directories(fs::path(root) / "other-job" / "v1-s0" / "chk-3");
  drop_handoff_copies(root, "job", 4);
  for (const auto* sub : {"v1-s0", "v1-s1", "v2-s0-fetched-v1-s0"}) {
    CHECK_FALSE(fs::exists(job_dir / sub / "chk-3"));
    CHECK(fs::exists(job_dir / sub / "chk-9"));
  }
  CHECK_FALSE(fs::exists(job_dir / "v3-s0"));
  CHECK(fs::exists(fs::path(root) / "other-job" / "v1-s0" / "chk-3"));
}
