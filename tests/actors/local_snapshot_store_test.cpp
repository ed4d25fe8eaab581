// The local copies of one subtask (local recovery): kept per checkpoint, pruned when a newer
// one completes, and restored only when they match what the checkpoint holds for the subtask;
// anything else (no copy, another checkpoint or parallelism, a damaged `_metadata` or file)
// falls back to the checkpoint directory.

#include "../temp_dir.hpp"

#include "sluice/actors/local_snapshot_store.hpp"
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
const std::string uid = "count";

local_snapshot_owner owner_at(int parallelism) {
  return {"job", 1, 0, parallelism, max_parallelism, {uid, "map"}, "count (1/2)"};
}

/// The states a snapshot of subtask 0 of 2 at checkpoint `id` acknowledges (a heap backend
/// holding a few keys, written under dir/chk-<id>), and the checkpoint's metadata.
struct snapshot {
  std::map<std::string, subtask_state> states;
  checkpoint_metadata metadata;
};

snapshot take_snapshot(const temp_dir& dir, std::int64_t id) {
  state_backend_config config;
  config.state_dir = dir / "state";
  auto b = make_keyed_state_backend(config, "count (1/2)",
                                    key_group_range_for_subtask(max_parallelism, 2, 0),
                                    max_parallelism);
  const value_state_descriptor<int> d("v");
  for (int k = 0; k < 100; ++k)
    if (b->key_groups().contains(key_group_of(k, max_parallelism))) {
      b->set_current_key(k);
      b->get_state(d).update(k + static_cast<int>(id));
    }
  snapshot s;
  s.states[uid].keyed_state = b->snapshot(id, dir / ("chk-" + std::to_string(id)));
  s.metadata.job_id = "job";
  s.metadata.checkpoint_id = id;
  s.metadata.state_backend = "heap";
  s.metadata.operators[uid] = {2, max_parallelism, {{0, s.states[uid]}}};
  return s;
}

} // namespace

TEST_CASE("a kept copy restores in place of the checkpoint's keyed state") {
  temp_dir dir;
  const local_snapshot_store store(dir / "state", owner_at(2));
  const auto s = take_snapshot(dir, 3);
  store.keep(3, s.states);
  const auto before = local_snapshot_store::counts();
  const auto copies = store.restore_copies(s.metadata);
  REQUIRE(copies.size() == 1);
  CHECK(same_snapshot(copies.at(uid).checkpointed, *s.states.at(uid).keyed_state));
  CHECK(local_copy_problem(copies.at(uid).local).empty());
  CHECK(copies.at(uid).local.parts.front().path.rfind(store.dir(), 0) == 0);
  CHECK(local_snapshot_store::counts().local == before.local + 1);
  CHECK(local_snapshot_store::counts().checkpoint_dir == before.checkpoint_dir);
}

TEST_CASE("a completed checkpoint prunes older copies, an aborted one its own") {
  temp_dir dir;
  const local_snapshot_store store(dir / "state", owner_at(2));
  for (std::int64_t id : {3, 4, 5})
    store.keep(id, take_snapshot(dir, id).states);
  store.completed(4);
  CHECK_FALSE(fs::exists(fs::path(store.dir()) / "chk-3"));
  CHECK(fs::exists(fs::path(store.dir()) / "chk-4"));
  CHECK(fs::exists(fs::path(store.dir()) / "chk-5"));
  store.aborted(5);
  CHECK_FALSE(fs::exists(fs::path(store.dir()) / "chk-5"));
  store.completed(6); // no copy of 6 (a savepoint, say): the copy of 4 stays
  CHECK(fs::exists(fs::path(store.dir()) / "chk-4"));
}

TEST_CASE("a copy that does not match the checkpoint falls back to the checkpoint directory") {
  temp_dir dir;
  auto s = take_snapshot(dir, 3);
  const auto falls_back = [&](const local_snapshot_store& store, const checkpoint_metadata& m) {
    const auto before = local_snapshot_store::counts();
    const bool none = store.restore_copies(m).empty();
    return none && local_snapshot_store::counts().checkpoint_dir == before.checkpoint_dir + 1 &&
           local_snapshot_store::counts().local == before.local;
  };
  const local_snapshot_store store(dir / "state", owner_at(2));
  SUBCASE("no copy") { CHECK(falls_back(store, s.metadata)); }
  SUBCASE("a copy of another checkpoint") {
    store.keep(3, s.states);
    auto later = take_snapshot(dir, 4).metadata;
    CHECK(falls_back(store, later));
  }
  SUBCASE("another parallelism") {
    store.keep(3, s.states);
    const local_snapshot_store rescaled(dir / "state", owner_at(3));
    CHECK(falls_back(rescaled, s.metadata));
  }
  SUBCASE("another snapshot of the same checkpoint") {
    store.keep(3, s.states);
    s.metadata.operators[uid].subtasks[0].keyed_state->parts.front().size_bytes += 1;
    CHECK(falls_back(store, s.metadata));
  }
  SUBCASE("a damaged _metadata") {
    store.keep(3, s.states);
    std::ofstream(fs::path(store.dir()) / "chk-3" / "_metadata", std::ios::app) << "x";
    CHECK(falls_back(store, s.metadata));
  }
  SUBCASE("a truncated file") {
    store.keep(3, s.states);
    const auto copy = store.restore_copies(s.metadata).at(uid).local.parts.front().path;
    fs::resize_file(copy, fs::file_size(copy) - 1);
    CHECK(falls_back(store, s.metadata));
  }
  SUBCASE("no keyed state for this subtask: nothing to decide") {
    const auto before = local_snapshot_store::counts();
    s.metadata.operators[uid].subtasks.clear();
    CHECK(store.restore_copies(s.metadata).empty());
    CHECK(local_snapshot_store::counts().checkpoint_dir == before.checkpoint_dir);
  }
}
