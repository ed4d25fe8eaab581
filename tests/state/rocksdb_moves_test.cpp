// The key groups a rescale moves, prepared by the old subtask while it runs
// (keyed_state_backend::prepare_handoff) and ingested by the successor's restore: the successor
// holds exactly what the old subtasks held at their snapshot, writes made after the preparing
// included (written in two rounds: the first while the job runs), whether it ingests the
// prepared files or copies the key groups without them; preparing flushes the memtables.

#include "rocksdb_test_support.hpp"

#include "sluice/state/rocksdb/rocksdb_keyed_state_backend.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace sluice;
using rocksdb_test::temp_dir;

namespace {

namespace fs = std::filesystem;

constexpr std::int64_t keys = 3000;

const value_state_descriptor<std::int64_t> value_d("value");
const list_state_descriptor<std::string> list_d("list");
const value_state_descriptor<std::int64_t> late_d("late"); ///< registered after the preparing

/// What a key's states should hold.
struct expected {
  std::optional<std::int64_t> value;
  std::vector<std::string> list;
  std::optional<std::int64_t> late;
};

bool owns(const keyed_state_backend& b, std::int64_t k) {
  return b.key_groups().contains(key_group_of(k, rocksdb_test::max_parallelism));
}

/// Writes value 10k and list ["k"] for every key `b` owns.
void fill(keyed_state_backend& b, std::map<std::int64_t, expected>& model) {
  for (std::int64_t k = 0; k < keys; ++k) {
    if (!owns(b, k))
      continue;
    b.set_current_key(k);
    b.get_state(value_d).update(10 * k);
    b.get_state(list_d).add(std::to_string(k));
    model[k] = {10 * k, {std::to_string(k)}, std::nullopt};
  }
}

/// Changes some keys `b` owns: updates, clears, appends, a state registered only now.
void change(keyed_state_backend& b, std::map<std::int64_t, expected>& model) {
  for (std::int64_t k = 0; k < keys; ++k) {
    if (!owns(b, k))
      continue;
    b.set_current_key(k);
    auto& m = model[k];
    switch (k % 4) {
      case 0:
        b.get_state(value_d).update(10 * k + 1);
        m.value = 10 * k + 1;
        break;
      case 1:
        b.get_state(value_d).clear();
        b.get_state(list_d).clear();
        m = {};
        break;
      case 2:
        b.get_state(list_d).add("x");
        m.list.push_back("x");
        break;
      default:
        b.get_state(late_d).update(-k);
        m.late = -k;
    }
  }
}

/// Checks that `b` holds what `model` says for every key it owns, and nothing else.
void check(keyed_state_backend& b, const std::map<std::int64_t, expected>& model) {
  std::size_t values = 0;
  std::size_t elements = 0;
  for (const auto& [k, m] : model) {
    if (!owns(b, k))
      continue;
    b.set_current_key(k);
    REQUIRE(b.get_state(value_d).value() == m.value);
    REQUIRE(b.get_state(list_d).get() == m.list);
    REQUIRE(b.get_state(late_d).value() == m.late);
    values += m.value ? 1 : 0;
    elements += m.list.size();
  }
  CHECK(values > 0);
  CHECK(b.entry_count("value") == values);
  CHECK(b.entry_count("list") == elements);
}

struct rescaled {
  std::map<std::int64_t, expected> model;
  std::vector<keyed_state_handle> handles; ///< of the two old subtasks
  std::string moves;                       ///< where old subtask 0's prepared files are
};

/// Two old subtasks filled, prepared for a rescale 2 -> 3 (only old subtask 0 gives key groups
/// to a successor whose base is the other: 43..63 to new subtask 1), changed, and snapshotted
/// with the prepared files beside the checkpoints, where a hand-off copy keeps them.
rescaled two_old_subtasks(const temp_dir& dir) {
  rescaled r;
  for (int i = 0; i < 2; ++i) {
    auto b = rocksdb_test::backend(rocksdb_test::config(dir), 2, i);
    fill(*b, r.model);
    b->prepare_handoff(2, 3).get();
    change(*b, r.model);
    r.handles.push_back(b->snapshot(9, dir / "checkpoints"));
    const auto moves = b->finish_handoff();
    CHECK(moves.empty() == (i == 1));
    if (!moves.empty()) {
      CHECK(fs::exists(fs::path(moves) / "43-63" / "MANIFEST"));
      r.moves = (fs::path(r.handles.back().parts[0].path).parent_path() / "moves").string();
      fs::rename(moves, r.moves);
    }
  }
  return r;
}

/// New subtask `index` of 3 restored from `r`.
std::unique_ptr<keyed_state_backend> successor(const temp_dir& dir, const rescaled& r,
                                               int index) {
  auto b = rocksdb_test::backend(rocksdb_test::config(dir), 3, index);
  b->restore(r.handles);
  return b;
}

const rocksdb_keyed_state_backend& as_rocksdb(const keyed_state_backend& b) {
  return dynamic_cast<const rocksdb_keyed_state_backend&>(b);
}

} // namespace

TEST_CASE("a successor ingests the key groups its predecessor prepared, with later writes") {
  temp_dir dir;
  const auto r = two_old_subtasks(dir);
  auto middle = successor(dir, r, 1);
  CHECK(as_rocksdb(*middle).restored_from_moves() == 1);
  CHECK(as_rocksdb(*middle).restored_by_copying() == 0);
  check(*middle, r.model);
  // The others restore one old subtask's checkpoint whole.
  for (int index : {0, 2}) {
    auto other = successor(dir, r, index);
    CHECK(as_rocksdb(*other).restored_from_moves() + as_rocksdb(*other).restored_by_copying() ==
          0);
    check(*other, r.model);
  }
}

TEST_CASE("the changes made after the preparing are written in two rounds, in order") {
  temp_dir dir;
  const auto r = two_old_subtasks(dir);
  // The first change after the snapshot's files were written is written at the next write,
  // while the job runs; the rest at the stop. The successor ingests them in that order (checked
  // by the tests above).
  std::vector<std::string> files;
  std::ifstream manifest(fs::path(r.moves) / "43-63" / "MANIFEST");
  for (std::string line; std::getline(manifest, line);)
    files.push_back(line.substr(0, line.find('\t')));
  const auto round = [](const std::string& file) {
    if (file.find("-snapshot.sst") != std::string::npos)
      return 0;
    if (file.find("-changes-1.sst") != std::string::npos)
      return 1;
    if (file.find("-changes-2.sst") != std::string::npos)
      return 2;
    return file == "metadata.sst" ? 3 : -1;
  };
  std::vector<int> rounds;
  for (const auto& file : files)
    rounds.push_back(round(file));
  CAPTURE(files);
  CHECK(std::count(rounds.begin(), rounds.end(), 1) == 1); // one state changed first
  CHECK(std::count(rounds.begin(), rounds.end(), 2) >= 1);
  CHECK(std::count(rounds.begin(), rounds.end(), -1) == 0);
  CHECK(std::is_sorted(rounds.begin(), rounds.end()));
}

TEST_CASE("preparing a hand-off flushes the memtables, whether or not key groups move") {
  temp_dir dir;
  std::map<std::int64_t, expected> model;
  const auto sst_files = [](const keyed_state_backend& b) {
    int n = 0;
    for (const auto& entry : fs::directory_iterator(as_rocksdb(b).instance_dir()))
      n += entry.path().extension() == ".sst" ? 1 : 0;
    return n;
  };
  for (int i = 0; i < 2; ++i) { // at 2 -> 3, subtask 0 gives key groups away, subtask 1 none
    CAPTURE(i);
    auto b = rocksdb_test::backend(rocksdb_test::config(dir), 2, i);
    fill(*b, model);
    CHECK(sst_files(*b) == 0); // all in memtables yet
    b->prepare_handoff(2, 3).get();
    CHECK(sst_files(*b) > 0);
    CHECK(b->finish_handoff().empty() == (i == 1));
  }
}

TEST_CASE("without the prepared files whole, a successor copies the key groups instead") {
  temp_dir dir;
  const auto r = two_old_subtasks(dir);
  SUBCASE("none") { fs::remove_all(r.moves); }
  SUBCASE("a file missing") {
    std::ifstream manifest(fs::path(r.moves) / "43-63" / "MANIFEST");
    std::string line;
    REQUIRE(std::getline(manifest, line));
    fs::remove(fs::path(r.moves) / "43-63" / line.substr(0, line.find('\t')));
  }
  auto middle = successor(dir, r, 1);
  CHECK(as_rocksdb(*middle).restored_from_moves() == 0);
  CHECK(as_rocksdb(*middle).restored_by_copying() == 1);
  check(*middle, r.model);
}

TEST_CASE("prepared moves that a rescale does not use are dropped") {
  temp_dir dir;
  std::map<std::int64_t, expected> model;
  auto b = rocksdb_test::backend(rocksdb_test::config(dir), 2, 0);
  fill(*b, model);
  b->prepare_handoff(2, 3).get();
  const auto prepared = fs::path(as_rocksdb(*b).instance_dir() + ".scratch") / "moves";
  CHECK(fs::exists(prepared / "43-63"));
  b->cancel_handoff();
  CHECK_FALSE(fs::exists(prepared));
  CHECK(b->finish_handoff().empty());
  // To 2 (the same key groups) or to 1 (its only successor takes subtask 0's state as its base,
  // the first of two equal overlaps), nothing moves away from subtask 0; at 1, subtask 1's key
  // groups all move.
  for (int to : {1, 2}) {
    b->prepare_handoff(2, to).get();
    CHECK(b->finish_handoff().empty());
  }
  auto other = rocksdb_test::backend(rocksdb_test::config(dir), 2, 1);
  fill(*other, model);
  other->prepare_handoff(2, 1).get();
  const auto moves = other->finish_handoff();
  REQUIRE(!moves.empty());
  CHECK(fs::exists(fs::path(moves) / "64-127" / "MANIFEST"));
}
