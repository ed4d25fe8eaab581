// Incremental snapshots of the heap backend: per key group a file in the shared directory,
// written again only when the key group changed (the files on disk tell which were written),
// restores from each snapshot of a chain (at any parallelism, into either backend), full
// snapshots self-contained, and the errors a missing or corrupt shared file gives.

#include "rocksdb_test_support.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace sluice;
using rocksdb_test::temp_dir;

namespace {

namespace fs = std::filesystem;

constexpr int max_parallelism = rocksdb_test::max_parallelism;
constexpr std::int64_t keys = 1000;
const value_state_descriptor<std::int64_t> value_d("value");
const list_state_descriptor<std::int64_t> list_d("list");

using model = std::map<std::int64_t, std::int64_t>;

state_backend_config heap_config(const temp_dir& dir) {
  auto c = rocksdb_test::config(dir);
  c.kind = state_backend_kind::heap;
  return c;
}

std::unique_ptr<keyed_state_backend> heap(const temp_dir& dir, int parallelism = 1, int index = 0) {
  auto b = rocksdb_test::backend(heap_config(dir), parallelism, index);
  b->set_key_type<std::int64_t>();
  return b;
}

/// A heap backend of subtask `index` of `parallelism`, restored from `handles`.
std::unique_ptr<keyed_state_backend> restored_heap(const temp_dir& dir,
                                                   const std::vector<keyed_state_handle>& handles,
                                                   int parallelism = 1, int index = 0) {
  auto b = heap(dir, parallelism, index);
  b->restore(handles);
  return b;
}

int group_of(std::int64_t k) { return key_group_of(k, max_parallelism); }

/// Round `round` changes the keys of the key groups g with g % 8 == round % 8 (every key in
/// round 0): value round * 10000 + k, and the round appended to the key's list. Returns the
/// key groups it changed.
std::set<int> write_round(keyed_state_backend& b, model& m, int round) {
  std::set<int> changed;
  for (std::int64_t k = 0; k < keys; ++k) {
    const int g = group_of(k);
    if ((round > 0 && g % 8 != round % 8) || !b.key_groups().contains(g))
      continue;
    b.set_current_key(k);
    b.get_state(value_d).update(round * 10000 + k);
    b.get_state(list_d).add(round);
    m[k] = round * 10000 + k;
    changed.insert(g);
  }
  return changed;
}

/// The list of key k after the rounds up to `round`, as write_round builds it.
std::vector<std::int64_t> list_after(std::int64_t k, int round) {
  std::vector<std::int64_t> out{0};
  for (int r = 1; r <= round; ++r)
    if (group_of(k) % 8 == r % 8)
      out.push_back(r);
  return out;
}

/// Checks that `b` holds exactly the entries of `m` it owns, with the lists of `round`.
void check_model(keyed_state_backend& b, const model& m, int round) {
  std::size_t owned = 0;
  for (const auto& [k, v] : m) {
    if (!b.key_groups().contains(group_of(k)))
      continue;
    ++owned;
    b.set_current_key(k);
    REQUIRE(b.get_state(value_d).value() == v);
    REQUIRE(b.get_state(list_d).get() == list_after(k, round));
  }
  CHECK(b.entry_count("value") == owned);
}

keyed_state_handle incremental(keyed_state_backend& b, const temp_dir& dir, std::int64_t id) {
  return b.snapshot(id, dir / ("chk-" + std::to_string(id)), dir / "shared");
}

/// The files in `dir` with their sizes, as the file system reports them.
std::map<std::string, std::uint64_t> files_in(const std::string& dir) {
  std::map<std::string, std::uint64_t> out;
  if (fs::exists(dir))
    for (auto& e : fs::directory_iterator(dir))
      out.emplace(e.path().string(), e.file_size());
  return out;
}

/// The key group in a shared file's name (`...-kg<group>-chk<id>.heap`).
int group_in_name(const std::string& path) {
  const auto name = fs::path(path).filename().string();
  const auto at = name.rfind("-kg") + 3;
  return std::stoi(name.substr(at, name.find('-', at) - at));
}

/// The key groups whose files `h` (of checkpoint `id`) references and checkpoint `id` wrote.
std::set<int> groups_written(const keyed_state_handle& h, std::int64_t id) {
  std::set<int> out;
  const auto suffix = "-chk" + std::to_string(id) + ".heap";
  for (const auto& f : h.parts[0].shared)
    if (fs::path(f.path).filename().string().find(suffix) != std::string::npos)
      out.insert(std::stoi(f.local_name));
  return out;
}

/// Writes round `round` into `b` (and `m`), snapshots it as checkpoint `id` and checks that
/// the snapshot wrote the files of the key groups the round changed, and no others.
keyed_state_handle check_writes_changes(keyed_state_backend& b, model& m, int round,
                                        const temp_dir& dir, std::int64_t id) {
  const auto changed = write_round(b, m, round);
  const auto h = incremental(b, dir, id);
  CHECK(groups_written(h, id) == changed);
  return h;
}

/// A chain of `rounds` incremental snapshots of `parallelism` subtasks, with the model after
/// each round.
struct chain {
  std::vector<std::vector<keyed_state_handle>> handles; ///< per round, per subtask
  std::vector<model> models;
};

chain make_chain(const temp_dir& dir, int rounds, int parallelism = 1) {
  chain out;
  std::vector<std::unique_ptr<keyed_state_backend>> backends;
  for (int i = 0; i < parallelism; ++i)
    backends.push_back(heap(dir, parallelism, i));
  model m;
  for (int round = 0; round < rounds; ++round) {
    out.handles.emplace_back();
    for (auto& b : backends) {
      write_round(*b, m, round);
      out.handles.back().push_back(incremental(*b, dir, round + 1));
    }
    out.models.push_back(m);
  }
  return out;
}

} // namespace

TEST_CASE("heap incremental snapshots write only the key groups that changed") {
  temp_dir dir;
  auto b = heap(dir);
  model m;
  for (int round = 0; round < 10; ++round) {
    CAPTURE(round);
    const auto before = files_in(dir / "shared");
    const auto changed = write_round(*b, m, round);
    const auto h = incremental(*b, dir, round + 1);
    REQUIRE(h.parts.size() == 1);
    const auto& p = h.parts[0];
    CHECK(p.kind == keyed_state_part::format::heap_incremental);
    CHECK(p.path == dir / ("chk-" + std::to_string(round + 1)) + "/count__1_1_-kg0-127-chk" +
                        std::to_string(round + 1) + ".heap");
    // The new files in shared/ are one per changed key group, and nothing else was written.
    std::set<int> written;
    std::uint64_t new_bytes = 0;
    for (const auto& [path, size] : files_in(dir / "shared"))
      if (!before.count(path)) {
        written.insert(group_in_name(path));
        new_bytes += size;
      }
    CHECK(written == changed);
    CHECK(h.written_bytes() == new_bytes + fs::file_size(p.path));
    // Every key group with a key is referenced, by its newest file.
    std::set<int> with_keys;
    for (const auto& [k, v] : m)
      with_keys.insert(group_of(k));
    std::set<int> referenced;
    std::uint64_t reused = 0;
    for (const auto& f : p.shared) {
      CAPTURE(f.path);
      referenced.insert(std::stoi(f.local_name));
      CHECK(group_in_name(f.path) == std::stoi(f.local_name));
      CHECK(fs::path(f.path).parent_path() == dir / "shared");
      CHECK(f.size_bytes == fs::file_size(f.path));
      if (before.count(f.path))
        reused += f.size_bytes;
    }
    CHECK(referenced == with_keys);
    CHECK(p.reused_bytes == reused);
    CHECK(h.size_bytes() == h.written_bytes() + reused);
    if (round > 0)
      CHECK(reused > 0);
  }
  // Nothing changed: only the private file is written.
  const auto same = incremental(*b, dir, 11);
  CHECK(same.written_bytes() == fs::file_size(same.parts[0].path));
}

TEST_CASE("heap restore from each incremental snapshot of a chain sees its state") {
  temp_dir dir;
  const auto c = make_chain(dir, 9);
  for (std::size_t i = 0; i < c.handles.size(); ++i) {
    CAPTURE(i);
    auto restored = restored_heap(dir, c.handles[i]);
    check_model(*restored, c.models[i], static_cast<int>(i));
  }
}

TEST_CASE("heap incremental snapshots restore at another parallelism and into RocksDB") {
  temp_dir dir;
  const auto c = make_chain(dir, 4, 2);
  const auto& last = c.handles.back();
  for (int parallelism : {1, 3}) {
    for (int i = 0; i < parallelism; ++i) {
      CAPTURE(parallelism);
      CAPTURE(i);
      auto b = restored_heap(dir, last, parallelism, i);
      check_model(*b, c.models.back(), 3);
      // Restored from the key groups' files, it references them again.
      const auto next = b->snapshot(5, dir / "chk-5", dir / "shared");
      CHECK(next.written_bytes() == fs::file_size(next.parts[0].path));
    }
  }
  auto rocksdb = rocksdb_test::backend(rocksdb_test::config(dir));
  rocksdb->set_key_type<std::int64_t>();
  rocksdb->restore(last);
  check_model(*rocksdb, c.models.back(), 3);
}

TEST_CASE("heap restored backend references the shared files of its own job only") {
  temp_dir dir;
  const auto c = make_chain(dir, 2);
  auto restored = restored_heap(dir, c.handles.back());
  model m = c.models.back();
  check_writes_changes(*restored, m, 2, dir, 3);
  // Into another shared directory (another job's), everything is written again.
  auto other = restored_heap(dir, c.handles.back());
  const auto elsewhere = other->snapshot(3, dir / "other/chk-3", dir / "other/shared");
  CHECK(elsewhere.parts[0].reused_bytes == 0);
  for (const auto& f : elsewhere.parts[0].shared)
    CHECK(fs::path(f.path).parent_path() == dir / "other/shared");
  auto again = restored_heap(dir, {elsewhere});
  check_model(*again, c.models.back(), 1);
}

TEST_CASE("heap full snapshot after incremental ones is self-contained") {
  temp_dir dir;
  const auto c = make_chain(dir, 3);
  auto b = restored_heap(dir, c.handles.back());
  const auto full = b->snapshot(9, dir / "savepoint");
  CHECK(full.parts[0].kind == keyed_state_part::format::heap_key_groups);
  CHECK(full.parts[0].shared.empty());
  // The savepoint leaves the next incremental snapshot as it was: it writes what changed.
  model m = c.models.back();
  const auto next = check_writes_changes(*b, m, 3, dir, 4);
  auto after = restored_heap(dir, {next});
  check_model(*after, m, 3);
  // Without shared/, the savepoint restores alone.
  fs::remove_all(dir / "shared");
  auto restored = restored_heap(dir, {full});
  check_model(*restored, c.models.back(), 2);
}

TEST_CASE("heap incremental snapshots follow clears and expiry") {
  temp_dir dir;
  manual_ttl_clock clock;
  auto config = heap_config(dir);
  config.clock = &clock;
  auto b = rocksdb_test::backend(config);
  const value_state_descriptor<std::int64_t> ttl_d("ttl", std::nullopt, {100});
  for (std::int64_t k = 0; k < keys; ++k) {
    b->set_current_key(k);
    b->get_state(value_d).update(k);
    b->get_state(ttl_d).update(k);
  }
  incremental(*b, dir, 1);
  // Key 5 cleared; every TTL entry expires (the snapshot sweeps them).
  b->set_current_key(std::int64_t{5});
  b->get_state(value_d).clear();
  clock.advance(1000);
  const auto h = incremental(*b, dir, 2);
  auto restored = rocksdb_test::backend(config);
  restored->restore({h});
  for (std::int64_t k = 0; k < keys; ++k) {
    restored->set_current_key(k);
    REQUIRE(restored->get_state(value_d).value() == (k == 5 ? std::nullopt : std::optional(k)));
  }
  CHECK(restored->get_state(ttl_d).value() == std::nullopt);
  CHECK(dynamic_cast<heap_keyed_state_backend&>(*restored).stored_entries("ttl") == 0);
}

TEST_CASE("heap state restored but not registered is kept by incremental snapshots") {
  temp_dir dir;
  const auto c = make_chain(dir, 3);
  // Restored, the list state never registered: the key groups that change keep its blocks.
  auto b = restored_heap(dir, c.handles.back());
  model m = c.models.back();
  for (std::int64_t k = 0; k < keys; ++k)
    if (group_of(k) % 8 == 3) {
      b->set_current_key(k);
      b->get_state(value_d).update(k);
      m[k] = k;
    }
  const auto next = incremental(*b, dir, 4);
  auto restored = restored_heap(dir, {next});
  for (const auto& [k, v] : m) {
    restored->set_current_key(k);
    REQUIRE(restored->get_state(value_d).value() == v);
    REQUIRE(restored->get_state(list_d).get() == list_after(k, 2));
  }
  // Restored from a full snapshot, the states move into the shared files once registered.
  const auto full = restored->snapshot(5, dir / "full");
  auto from_full = restored_heap(dir, {full});
  incremental(*from_full, dir, 6);
  check_model(*from_full, m, 2);
  const auto after = incremental(*from_full, dir, 7);
  auto last = restored_heap(dir, {after});
  check_model(*last, m, 2);
}

TEST_CASE("heap restore names a missing or corrupt shared file") {
  temp_dir dir;
  const auto c = make_chain(dir, 1);
  const auto& part = c.handles[0][0].parts[0];
  const auto& f = part.shared.front();
  const auto copy = dir / "copy.heap";
  fs::copy_file(f.path, copy);
  SUBCASE("missing") {
    fs::remove(f.path);
    for (int parallelism : {1, 2}) {
      auto b = heap(dir, parallelism, 0);
      CHECK_THROWS_WITH_AS(b->restore(c.handles[0]),
                           doctest::Contains(("shared state file '" + f.path + "' of checkpoint '" +
                                              part.path + "' is missing")
                                                 .c_str()),
                           state_error);
    }
    auto rocksdb = rocksdb_test::backend(rocksdb_test::config(dir));
    CHECK_THROWS_WITH_AS(rocksdb->restore(c.handles[0]),
                         doctest::Contains(("shared state file '" + f.path + "'").c_str()),
                         state_error);
  }
  SUBCASE("bytes changed in place") {
    rocksdb_test::flip_middle_byte(f.path);
    auto b = heap(dir);
    CHECK_THROWS_WITH_AS(b->restore(c.handles[0]),
                         doctest::Contains(("'" + f.path + "' of checkpoint '" + part.path +
                                            "' is corrupt: checksum mismatch")
                                               .c_str()),
                         state_error);
  }
  // Put back, the checkpoint restores again.
  fs::remove(f.path);
  fs::copy_file(copy, f.path);
  auto b = restored_heap(dir, c.handles[0]);
  check_model(*b, c.models[0], 0);
}
