// Incremental checkpoints in the job's storage, of either backend: `_metadata` recording shared
// files (relative to the job directory), retention removing a shared file only once no retained
// checkpoint references it, the sweep at start after a crash, and `--restore latest` falling
// back past a checkpoint whose shared file is missing or corrupt. The snapshots are real ones
// of the RocksDB and heap backends (state/), chained as a job would take them.

#include "checkpoint_test_support.hpp"
#include "sluice/checkpoint/metadata_file.hpp"
#include "sluice/checkpoint/restore_point.hpp"
#include "sluice/state/get_keyed_state.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
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
constexpr std::int64_t keys = 500;
const value_state_descriptor<std::int64_t> value_d("value");

using model = std::map<std::int64_t, std::int64_t>;

const state_backend_kind backends[] = {state_backend_kind::rocksdb, state_backend_kind::heap};

std::unique_ptr<keyed_state_backend> make_backend(state_backend_kind kind, const temp_dir& dir) {
  state_backend_config c;
  c.kind = kind;
  c.state_dir = dir / "state";
  c.memory_mb = 16;
  return make_keyed_state_backend(c, "count (1/1)", {0, max_parallelism - 1}, max_parallelism);
}

/// Round `round` of updates: every key in round 1, then the keys k with k % 7 == round % 7,
/// to round * 100000 + k.
void write_round(keyed_state_backend& b, model& m, int round) {
  for (std::int64_t k = 0; k < keys; ++k) {
    if (round > 1 && k % 7 != round % 7)
      continue;
    b.set_current_key(k);
    b.get_state(value_d).update(round * 100000 + k);
    m[k] = round * 100000 + k;
  }
}

void check_model(keyed_state_backend& b, const model& m) {
  for (const auto& [k, v] : m) {
    b.set_current_key(k);
    REQUIRE(b.get_state(value_d).value() == v);
  }
  CHECK(b.entry_count("value") == m.size());
}

/// The metadata of checkpoint `id` of job-a: operator "count", one subtask with `handle`.
checkpoint_metadata metadata_of(std::int64_t id, const keyed_state_handle& handle) {
  checkpoint_metadata m;
  m.job_id = "job-a";
  m.checkpoint_id = id;
  m.state_backend = handle.backend;
  auto& count = m.operators["count"];
  count.parallelism = 1;
  count.max_parallelism = max_parallelism;
  count.subtasks[0].keyed_state = handle;
  return m;
}

/// A job taking incremental checkpoints into `storage` with retention `retained`, keeping the
/// model and the handle of each checkpoint.
struct job {
  job(const temp_dir& d, int r, state_backend_kind k = state_backend_kind::rocksdb)
      : dir(d), storage(d.path() / "checkpoints", "job-a"), retained(r), kind(k),
        backend(make_backend(k, d)) {}

  const temp_dir& dir;
  checkpoint_storage storage;
  int retained;
  state_backend_kind kind;
  std::unique_ptr<keyed_state_backend> backend;
  model current;
  std::map<std::int64_t, model> models;
  std::map<std::int64_t, keyed_state_handle> handles;

  /// The files of checkpoint `id` written, without its `_metadata` (a crash before it).
  keyed_state_handle snapshot(std::int64_t id) {
    write_round(*backend, current, static_cast<int>(id));
    const auto chk = storage.create_pending(id);
    return backend->snapshot(id, (chk / "n1").string(), storage.shared_dir().string());
  }
  void checkpoint(std::int64_t id) {
    const auto handle = snapshot(id);
    storage.write_metadata(metadata_of(id, handle));
    models[id] = current;
    handles[id] = handle;
    for (auto discarded : storage.apply_retention(retained))
      handles.erase(discarded);
  }
  /// The shared files the retained checkpoints reference, from the handles the job kept.
  std::set<std::string> referenced() const {
    std::set<std::string> out;
    for (const auto& [id, h] : handles)
      add_shared_files(h, out);
    return out;
  }
};

/// Restores checkpoint `id` of `j` from its `_metadata` and checks it against the model.
void check_restores(const job& j, std::int64_t id) {
  CAPTURE(id);
  const auto file = j.storage.checkpoint_path(id) / metadata_file_name;
  const auto m = read_metadata_file(file);
  check_state_files(m, file);
  auto b = make_backend(j.kind, j.dir);
  b->restore({*m.operators.at("count").subtasks.at(0).keyed_state});
  check_model(*b, j.models.at(id));
}

} // namespace

TEST_CASE("_metadata records an incremental part's shared files relative to the job directory") {
  for (const auto kind : backends) {
    const std::string backend = to_string(kind);
    CAPTURE(backend);
    temp_dir dir;
    job j(dir, 3, kind);
    j.checkpoint(1);
    const auto chk = j.storage.checkpoint_path(1);
    const auto text = read_file(chk / metadata_file_name);
    const auto part =
        nlohmann::json::parse(text)["operators"]["count"]["subtasks"][0]["keyed_state"]["parts"][0];
    CHECK(part["format"] == backend + "_incremental");
    CHECK(part["path"] == "n1/count__1_1_-kg0-127-chk1." + backend);
    CHECK(part["reused_bytes"] == 0);
    const auto& written = j.handles.at(1).parts[0].shared;
    REQUIRE(part["shared"].size() == written.size());
    for (std::size_t i = 0; i < written.size(); ++i) {
      CHECK(part["shared"][i]["name"] == written[i].local_name);
      CHECK(part["shared"][i]["path"] ==
            "../shared/" + fs::path(written[i].path).filename().string());
      CHECK(part["shared"][i]["size_bytes"] == written[i].size_bytes);
      CHECK(part["shared"][i]["crc32"] == written[i].crc32);
    }
    // Read back (also after moving the whole job directory), the handle is the one written.
    CHECK(read_metadata_file(chk / metadata_file_name) == metadata_of(1, j.handles.at(1)));
    fs::rename(dir.path() / "checkpoints", dir.path() / "moved");
    const auto moved = read_metadata_file(dir.path() / "moved/job-a/chk-1" / metadata_file_name);
    const auto& shared = moved.operators.at("count").subtasks.at(0).keyed_state->parts[0].shared;
    for (std::size_t i = 0; i < written.size(); ++i)
      CHECK(shared[i].path ==
            (dir.path() / "moved/job-a/shared" / fs::path(written[i].path).filename()).string());
  }
}

TEST_CASE("an incremental part's shared files are validated when read") {
  const std::string good =
      R"({"format":"rocksdb_incremental","path":"p","key_groups":[0,1],"size_bytes":30,)"
      R"("reused_bytes":10,"shared":[{"name":"000009.sst","path":"../shared/x","size_bytes":20,)"
      R"("crc32":7}]})";
  auto parse = [](const std::string& part) {
    const auto text = R"({"index":0,"blobs":{},"keyed_state":{"backend":"rocksdb",)"
                      R"("key_groups":[0,1],"parts":[)" +
                      part + "]}}";
    return subtask_state_from_text(text, 0, 2);
  };
  const auto s = parse(good);
  CHECK(s.keyed_state->parts[0].shared.at(0).crc32 == 7);
  CHECK(s.state_size_bytes() == 30);
  CHECK(s.written_bytes() == 20);
  auto error_with = [&](const std::string& from, const std::string& to) {
    auto part = good;
    part.replace(part.find(from), from.size(), to);
    return error_of([&] { parse(part); });
  };
  CHECK(error_with(R"("reused_bytes":10)", R"("reused_bytes":21)") ==
        "subtask state.keyed_state.parts[0].reused_bytes: 21 reused of 20 shared bytes, 30 in "
        "all");
  CHECK(error_with(R"("name":"000009.sst")", R"("name":"a/b.sst")") ==
        "subtask state.keyed_state.parts[0].shared[0].name: 'a/b.sst' is not a file name");
  CHECK(error_with(R"("crc32":7)", R"("crc32":-1)") ==
        "subtask state.keyed_state.parts[0].shared[0].crc32: -1 is out of range [0, 4294967295]");
  CHECK(error_with(R"(,"shared":)", R"(,"shared_files":)") ==
        "subtask state.keyed_state.parts[0]: has no field 'shared'");
}

TEST_CASE("incremental chains with retention 1, 2 and 3 restore from every retained checkpoint") {
  for (const auto kind : backends)
    for (int retained : {1, 2, 3}) {
      CAPTURE(to_string(kind));
      CAPTURE(retained);
      temp_dir dir;
      job j(dir, retained, kind);
      for (std::int64_t id = 1; id <= 8; ++id) {
        j.checkpoint(id);
        std::vector<std::int64_t> expected;
        for (auto k = std::max<std::int64_t>(1, id - retained + 1); k <= id; ++k)
          expected.push_back(k);
        REQUIRE(j.storage.completed_checkpoints() == expected);
        // shared/ holds exactly what the retained checkpoints reference.
        CHECK(files_in(j.storage.shared_dir()) == j.referenced());
        for (auto k : expected)
          check_restores(j, k);
      }
      // Later checkpoints reference files of earlier ones and write less than their state.
      const auto& last = j.handles.at(8);
      CHECK(last.parts[0].reused_bytes > 0);
      CHECK(metadata_of(8, last).operators.at("count").subtasks.at(0).written_bytes() <
            metadata_of(8, last).state_size_bytes());
    }
}

TEST_CASE("a crash between the files and _metadata leaves files the sweep at start removes") {
  for (const auto kind : backends) {
    CAPTURE(to_string(kind));
    temp_dir dir;
    job j(dir, 2, kind);
    for (std::int64_t id = 1; id <= 4; ++id)
      j.checkpoint(id);
    const auto before = files_in(j.storage.shared_dir());
    // Checkpoint 5's files are written, the process dies before its _metadata.
    const auto orphan = j.snapshot(5);
    std::set<std::string> uploaded;
    for (const auto& f : orphan.parts[0].shared)
      if (!before.count(fs::absolute(f.path).lexically_normal().string()))
        uploaded.insert(fs::absolute(f.path).lexically_normal().string());
    REQUIRE(!uploaded.empty());
    write_file(j.storage.shared_dir() / "leftover.sst.tmp", "partial");
    j.backend.reset();

    // The next start: a new storage object discards chk-5 and sweeps shared/.
    checkpoint_storage restarted(dir.path() / "checkpoints", "job-a");
    CHECK(restarted.discard_incomplete() == std::vector<std::int64_t>{5});
    const auto removed = restarted.sweep_shared();
    std::set<std::string> removed_set;
    for (const auto& p : removed)
      removed_set.insert(p.string());
    auto expected = uploaded;
    expected.insert(fs::absolute(j.storage.shared_dir() / "leftover.sst.tmp").string());
    CHECK(removed_set == expected);
    CHECK(files_in(j.storage.shared_dir()) == j.referenced());
    CHECK(j.referenced() == before);
    for (std::int64_t id : {3, 4})
      check_restores(j, id);
    // A second sweep finds nothing.
    CHECK(restarted.sweep_shared().empty());
  }
}

TEST_CASE("retention and the sweep keep every shared file while a _metadata is unreadable") {
  temp_dir dir;
  job j(dir, 3);
  for (std::int64_t id = 1; id <= 3; ++id)
    j.checkpoint(id);
  write_file(j.storage.shared_dir() / "stray.sst", "x");
  write_file(j.storage.checkpoint_path(2) / metadata_file_name, "{ truncated");
  const auto before = files_in(j.storage.shared_dir());
  checkpoint_storage restarted(dir.path() / "checkpoints", "job-a");
  CHECK(error_of([&] { restarted.sweep_shared(); })
            .find("checkpoint metadata file '" +
                  (j.storage.checkpoint_path(2) / metadata_file_name).string() + "'") == 0);
  CHECK(files_in(j.storage.shared_dir()) == before);
  // Retiring chk-1 while chk-2 (kept) cannot be read removes no shared file.
  CHECK(restarted.apply_retention(2) == std::vector<std::int64_t>{1});
  CHECK(files_in(j.storage.shared_dir()) == before);
}

TEST_CASE("retention never removes a shared file outside the job's shared directory") {
  temp_dir dir;
  checkpoint_storage storage(dir.path() / "checkpoints", "job-a");
  keyed_state_part part;
  part.kind = keyed_state_part::format::rocksdb_incremental;
  part.range = {0, max_parallelism - 1};
  const auto foreign = dir / "other-job/shared/x.sst";
  write_file(foreign, "12345");
  part.shared.push_back({"000001.sst", foreign, 5, 0});
  part.size_bytes = 5;
  // chk-1 references a file of another job's directory (restored from it), chk-2 does not.
  for (std::int64_t id : {1, 2}) {
    const auto chk = storage.create_pending(id);
    part.path = (chk / "p").string();
    storage.write_metadata(metadata_of(id, {"rocksdb", part.range, {part}}));
    part.shared.clear();
    part.size_bytes = 0;
  }
  CHECK(storage.apply_retention(1) == std::vector<std::int64_t>{1});
  CHECK(fs::exists(foreign));
}

TEST_CASE("latest falls back past a checkpoint whose shared file is missing or truncated") {
  temp_dir dir;
  job j(dir, 3);
  for (std::int64_t id = 1; id <= 3; ++id)
    j.checkpoint(id);
  // A file only chk-3 references (the one its round flushed).
  const auto& older = j.handles.at(2).parts[0].shared;
  std::string only_newest;
  for (const auto& f : j.handles.at(3).parts[0].shared)
    if (std::none_of(older.begin(), older.end(), [&](const auto& g) { return g.path == f.path; }))
      only_newest = fs::absolute(f.path).lexically_normal().string();
  REQUIRE(!only_newest.empty());
  const auto checkpoints = dir.path() / "checkpoints";
  const auto chk3 = (j.storage.checkpoint_path(3) / metadata_file_name).string();
  SUBCASE("missing") {
    fs::remove(only_newest);
    const auto r = resolve_restore("latest", checkpoints, "job-a");
    CHECK(r.metadata.checkpoint_id == 2);
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0] == "checkpoint chk-3 is unusable, falling back to chk-2: state file '" +
                               only_newest + "' referenced by '" + chk3 + "' is missing");
    CHECK(error_of([&] { resolve_restore(j.storage.checkpoint_path(3).string(), {}, "job-a"); })
              .find("state file '" + only_newest + "'") != std::string::npos);
  }
  SUBCASE("truncated") {
    fs::resize_file(only_newest, fs::file_size(only_newest) / 2);
    const auto r = resolve_restore("latest", checkpoints, "job-a");
    CHECK(r.metadata.checkpoint_id == 2);
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].find("state file '" + only_newest + "' referenced by '" + chk3 +
                             "' is corrupt") != std::string::npos);
  }
  check_restores(j, 2);
}
