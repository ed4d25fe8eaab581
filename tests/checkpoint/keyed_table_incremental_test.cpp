// Incremental checkpoints of a keyed_table on the heap (the rolling reduce's prefetched table,
// a snapshot participant that tracks its changes): between two checkpoints only a few keys
// change, and the second checkpoint writes the shared files of exactly their key groups (the
// test computes them from the keys and key_group_of) and references the others. Chains with
// retention 1-3 in the job's storage restore at parallelism 1, 2 and 3 and into RocksDB, also
// once the checkpoint that wrote a referenced file was retained away.

#include "../heap_shared_files.hpp"
#include "checkpoint_test_support.hpp"
#include "sluice/checkpoint/metadata_file.hpp"
#include "sluice/state/keyed_table.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

using namespace sluice;
using namespace sluice::test;
namespace fs = std::filesystem;

namespace {

constexpr int max_parallelism = 128;
constexpr int parallelism = 2;
constexpr std::int64_t keys = 1000;

using model = std::map<std::int64_t, std::int64_t>;
using table = keyed_table<std::int64_t, std::int64_t>;

int group_of(std::int64_t k) { return key_group_of(k, max_parallelism); }

/// The subtasks of one parallelism, each with its backend and table "sums".
struct subtasks {
  std::vector<std::unique_ptr<keyed_state_backend>> backends;
  std::vector<table> tables;

  subtasks(state_backend_kind kind, const temp_dir& dir, int p,
           const std::vector<keyed_state_handle>& handles = {})
      : tables(static_cast<std::size_t>(p)) {
    state_backend_config c;
    c.kind = kind;
    c.state_dir = dir / "state";
    c.memory_mb = 16;
    for (int i = 0; i < p; ++i) {
      backends.push_back(make_keyed_state_backend(
          c, "sums (" + std::to_string(i + 1) + "/" + std::to_string(p) + ")",
          key_group_range_for_subtask(max_parallelism, p, i), max_parallelism));
      if (!handles.empty())
        backends.back()->restore(handles);
      backends.back()->set_key_type<std::int64_t>();
      tables[static_cast<std::size_t>(i)].open(*backends.back(), "sums");
    }
  }
  std::size_t owner(std::int64_t k) const {
    return static_cast<std::size_t>(
        subtask_for_key_group(group_of(k), static_cast<int>(tables.size()), max_parallelism));
  }
  /// Checks that every subtask holds exactly its keys of `m`.
  void check(const model& m) {
    std::vector<std::size_t> owned(tables.size());
    for (const auto& [k, v] : m) {
      const auto i = owner(k);
      ++owned[i];
      const auto* held = tables[i].find(k);
      REQUIRE(held != nullptr);
      REQUIRE(*held == v);
    }
    for (std::size_t i = 0; i < tables.size(); ++i)
      CHECK(backends[i]->entry_count("sums") == owned[i]);
  }
};

/// Round 1 adds every key (value k); round r > 1 changes the keys k with k % 97 == r: adds r,
/// or removes every fifth of them. Returns the key groups it changed.
std::set<int> write_round(subtasks& s, model& m, int round) {
  std::set<int> changed;
  for (std::int64_t k = 0; k < keys; ++k) {
    auto& t = s.tables[s.owner(k)];
    if (round == 1) {
      t.upsert(
          k, [&] { return k; }, [](std::int64_t&) {});
      m[k] = k;
      continue;
    }
    if (k % 97 != round)
      continue;
    changed.insert(group_of(k));
    if (k % 5 == 0) {
      t.erase(k);
      m.erase(k);
    } else {
      t.upsert(
          k, [&] { return std::int64_t{round}; }, [&](std::int64_t& v) { v += round; });
      m[k] = m.count(k) ? m[k] + round : round;
    }
  }
  return changed;
}

/// The key groups of `m` some key is in.
std::set<int> groups_with_keys(const model& m) {
  std::set<int> out;
  for (const auto& [k, v] : m)
    out.insert(group_of(k));
  return out;
}

/// Checkpoint `id` of job-a: operator "sums" with the handle of each subtask.
checkpoint_metadata metadata_of(std::int64_t id, const std::vector<keyed_state_handle>& handles) {
  checkpoint_metadata m;
  m.job_id = "job-a";
  m.checkpoint_id = id;
  m.state_backend = "heap";
  auto& sums = m.operators["sums"];
  sums.parallelism = static_cast<int>(handles.size());
  sums.max_parallelism = max_parallelism;
  for (std::size_t i = 0; i < handles.size(); ++i)
    sums.subtasks[static_cast<int>(i)].keyed_state = handles[i];
  return m;
}

/// The keyed handles `_metadata` of checkpoint `id` records.
std::vector<keyed_state_handle> handles_of(const checkpoint_storage& storage, std::int64_t id) {
  const auto file = storage.checkpoint_path(id) / metadata_file_name;
  const auto m = read_metadata_file(file);
  check_state_files(m, file);
  std::vector<keyed_state_handle> out;
  for (const auto& [index, s] : m.operators.at("sums").subtasks)
    out.push_back(*s.keyed_state);
  return out;
}

/// A job of `parallelism` subtasks checkpointing its tables into `storage` with retention
/// `retained`; the model after each checkpoint.
struct job {
  job(const temp_dir& d, int r)
      : dir(d), storage(d.path() / "checkpoints", "job-a"), retained(r),
        running(state_backend_kind::heap, d, parallelism) {}

  const temp_dir& dir;
  checkpoint_storage storage;
  int retained;
  subtasks running;
  model current;
  std::map<std::int64_t, model> models;
  std::map<std::int64_t, std::vector<keyed_state_handle>> handles;

  /// Writes round `id`, checkpoints it, and checks what each subtask wrote: the files of the
  /// key groups the round changed that still hold keys, and nothing else shared.
  void checkpoint(std::int64_t id) {
    const auto changed = write_round(running, current, static_cast<int>(id));
    const auto chk = storage.create_pending(id);
    std::vector<keyed_state_handle> written;
    for (std::size_t i = 0; i < running.backends.size(); ++i)
      written.push_back(running.backends[i]->snapshot(
          id, (chk / ("n" + std::to_string(i))).string(), storage.shared_dir().string()));
    storage.write_metadata(metadata_of(id, written));
    const auto with_keys = groups_with_keys(current);
    std::uint64_t written_bytes = 0;
    std::uint64_t state_bytes = 0;
    for (std::size_t i = 0; i < written.size(); ++i) {
      CAPTURE(i);
      const auto range = running.backends[i]->key_groups();
      std::set<int> expected;
      for (int g : with_keys)
        if (range.contains(g) && (id == 1 || changed.count(g)))
          expected.insert(g);
      CHECK(groups_written(written[i], id) == expected);
      std::set<int> referenced;
      for (const auto& f : written[i].parts.at(0).shared)
        referenced.insert(std::stoi(f.local_name));
      std::set<int> owned_with_keys;
      for (int g : with_keys)
        if (range.contains(g))
          owned_with_keys.insert(g);
      CHECK(referenced == owned_with_keys);
      written_bytes += written[i].written_bytes();
      state_bytes += written[i].size_bytes();
    }
    // A few key groups of 128: far less than the state (which is all written at first).
    if (id > 1)
      CHECK(written_bytes * 5 < state_bytes);
    else
      CHECK(written_bytes == state_bytes);
    models[id] = current;
    handles[id] = written;
    for (auto discarded : storage.apply_retention(retained)) {
      handles.erase(discarded);
      models.erase(discarded);
    }
  }
  /// The shared files the retained checkpoints reference.
  std::set<std::string> referenced() const {
    std::set<std::string> out;
    for (const auto& [id, hs] : handles)
      for (const auto& h : hs)
        add_shared_files(h, out);
    return out;
  }
};

} // namespace

TEST_CASE("a keyed_table's incremental checkpoints write only the key groups that changed") {
  for (int retained : {1, 2, 3}) {
    CAPTURE(retained);
    temp_dir dir;
    job j(dir, retained);
    for (std::int64_t id = 1; id <= 8; ++id) {
      CAPTURE(id);
      j.checkpoint(id);
      // shared/ holds exactly what the retained checkpoints reference.
      CHECK(files_in(j.storage.shared_dir()) == j.referenced());
      for (const auto& [kept, m] : j.models) {
        CAPTURE(kept);
        for (int p : {1, 2, 3}) {
          CAPTURE(p);
          subtasks restored(state_backend_kind::heap, dir, p, handles_of(j.storage, kept));
          restored.check(m);
        }
      }
    }
    // Checkpoint 1 is gone, and checkpoint 8 still references files it wrote (key groups no
    // round changed since): they stay, and checkpoint 8 restores, into either backend.
    CHECK(!fs::exists(j.storage.checkpoint_path(1)));
    const auto last = handles_of(j.storage, 8);
    std::set<int> from_first;
    for (const auto& h : last)
      for (int g : groups_written(h, 1))
        from_first.insert(g);
    CHECK(!from_first.empty());
    subtasks(state_backend_kind::heap, dir, 3, last).check(j.models.at(8));
    subtasks(state_backend_kind::rocksdb, dir, 2, last).check(j.models.at(8));
  }
}

TEST_CASE("a keyed_table restored from an incremental chain references its key groups again") {
  temp_dir dir;
  job j(dir, 2);
  for (std::int64_t id = 1; id <= 3; ++id)
    j.checkpoint(id);
  for (int p : {1, 2, 3}) {
    CAPTURE(p);
    subtasks restored(state_backend_kind::heap, dir, p, handles_of(j.storage, 3));
    // Nothing changed since: each subtask writes its private file only.
    for (std::size_t i = 0; i < restored.backends.size(); ++i) {
      const auto h = restored.backends[i]->snapshot(
          4, dir / ("p" + std::to_string(p) + "/n" + std::to_string(i)),
          j.storage.shared_dir().string());
      CHECK(h.parts.at(0).shared.size() > 0);
      CHECK(h.written_bytes() == fs::file_size(h.parts.at(0).path));
    }
    // A change is written for its key group only.
    const std::int64_t k = 4;
    restored.tables[restored.owner(k)].upsert(
        k, [] { return std::int64_t{0}; }, [](std::int64_t& v) { ++v; });
    auto& b = *restored.backends[restored.owner(k)];
    const auto h = b.snapshot(5, dir / ("q" + std::to_string(p)), j.storage.shared_dir().string());
    CHECK(groups_written(h, 5) == std::set<int>{group_of(k)});
  }
}
