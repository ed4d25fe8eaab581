// Incremental snapshots of the RocksDB backend: SST files uploaded once into a shared
// directory and referenced by later snapshots, restores from each snapshot of a chain (at any
// parallelism, into either backend), and the errors a missing or corrupt shared file gives.

#include "rocksdb_test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace sluice;
using rocksdb_test::temp_dir;

namespace {

namespace fs = std::filesystem;

constexpr std::int64_t keys = 1000;
const value_state_descriptor<std::int64_t> value_d("value");

using model = std::map<std::int64_t, std::int64_t>;

/// CRC-32 (IEEE, reflected), bit by bit: computed here independently of the backend's.
std::uint32_t reference_crc32(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::uint32_t crc = 0xFFFFFFFFu;
  for (char c; in.get(c);) {
    crc ^= static_cast<unsigned char>(c);
    for (int k = 0; k < 8; ++k)
      crc = (crc & 1) ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
  }
  return ~crc;
}

/// Writes round `round` into `b` and `m`: the keys k with k % 10 == round % 10 (all keys in
/// round 0) get round * 10000 + k.
void write_round(keyed_state_backend& b, model& m, int round) {
  for (std::int64_t k = 0; k < keys; ++k) {
    if (round > 0 && k % 10 != round % 10)
      continue;
    if (!b.key_groups().contains(key_group_of(k, rocksdb_test::max_parallelism)))
      continue;
    b.set_current_key(k);
    b.get_state(value_d).update(round * 10000 + k);
    m[k] = round * 10000 + k;
  }
}

/// Checks that `b` holds exactly the entries of `m` it owns.
void check_model(keyed_state_backend& b, const model& m) {
  std::size_t owned = 0;
  for (const auto& [k, v] : m) {
    if (!b.key_groups().contains(key_group_of(k, rocksdb_test::max_parallelism)))
      continue;
    ++owned;
    b.set_current_key(k);
    REQUIRE(b.get_state(value_d).value() == v);
  }
  CHECK(b.entry_count("value") == owned);
}

/// The incremental snapshot of `b` at checkpoint `id` into `dir`/chk-<id> and `dir`/shared.
keyed_state_handle incremental(keyed_state_backend& b, const temp_dir& dir, std::int64_t id) {
  return b.snapshot(id, dir / ("chk-" + std::to_string(id)), dir / "shared");
}

std::uint64_t shared_bytes(const keyed_state_part& p) {
  std::uint64_t n = 0;
  for (const auto& f : p.shared)
    n += f.size_bytes;
  return n;
}

/// A chain of `rounds` incremental snapshots of one backend, with the model after each.
struct chain {
  std::vector<keyed_state_handle> handles;
  std::vector<model> models;
};

chain make_chain(const temp_dir& dir, int rounds, int parallelism = 1) {
  chain out;
  std::vector<std::unique_ptr<keyed_state_backend>> backends;
  for (int i = 0; i < parallelism; ++i)
    backends.push_back(rocksdb_test::backend(rocksdb_test::config(dir), parallelism, i));
  model m;
  for (int round = 0; round < rounds; ++round) {
    for (auto& b : backends) {
      write_round(*b, m, round);
      out.handles.push_back(incremental(*b, dir, round + 1));
    }
    out.models.push_back(m);
  }
  return out;
}

} // namespace

TEST_CASE("rocksdb incremental snapshot uploads its SST files into the shared directory") {
  temp_dir dir;
  auto b = rocksdb_test::backend(rocksdb_test::config(dir), 3, 1);
  model m;
  write_round(*b, m, 0);
  const auto h = incremental(*b, dir, 1);
  REQUIRE(h.parts.size() == 2);
  const auto& p = h.parts[0];
  CHECK(p.kind == keyed_state_part::format::rocksdb_incremental);
  CHECK(p.path == dir / "chk-1/count__2_3_-kg43-85-chk1.rocksdb");
  CHECK(p.range == h.range);
  REQUIRE(!p.shared.empty());
  CHECK(p.reused_bytes == 0);
  std::uint64_t private_bytes = 0;
  for (auto& e : fs::directory_iterator(p.path)) {
    CHECK(e.path().extension() != ".sst");
    private_bytes += e.file_size();
  }
  CHECK(fs::exists(fs::path(p.path) / "CURRENT"));
  for (const auto& f : p.shared) {
    CAPTURE(f.path);
    CHECK(fs::path(f.path).parent_path() == dir / "shared");
    CHECK(fs::path(f.path).filename().string().rfind("count__2_3_-", 0) == 0);
    CHECK(fs::path(f.path).filename().string().find(f.local_name) != std::string::npos);
    CHECK(fs::path(f.local_name).extension() == ".sst");
    CHECK(f.size_bytes == fs::file_size(f.path));
    CHECK(f.crc32 == reference_crc32(f.path));
  }
  CHECK(p.size_bytes == private_bytes + shared_bytes(p));
  CHECK(h.written_bytes() == h.size_bytes());
  // Nothing is left beside the instance once the snapshot is written.
  for (auto& e : fs::recursive_directory_iterator(dir / "state"))
    CHECK(e.path().filename().string().rfind("chk-", 0) != 0);
}

TEST_CASE("rocksdb incremental snapshot references the files an earlier one uploaded") {
  temp_dir dir;
  auto b = rocksdb_test::backend(rocksdb_test::config(dir));
  model m;
  write_round(*b, m, 0);
  const auto first = incremental(*b, dir, 1);
  write_round(*b, m, 1);
  const auto second = incremental(*b, dir, 2);
  // One more flushed file: the first one's files are referenced, not written again.
  const auto& p1 = first.parts[0];
  const auto& p2 = second.parts[0];
  CHECK(p2.shared.size() == p1.shared.size() + 1);
  CHECK(p2.reused_bytes == shared_bytes(p1));
  for (const auto& f : p1.shared) {
    CAPTURE(f.local_name);
    auto same = std::find_if(p2.shared.begin(), p2.shared.end(),
                             [&](const auto& g) { return g.local_name == f.local_name; });
    REQUIRE(same != p2.shared.end());
    CHECK(same->path == f.path);
    CHECK(same->crc32 == f.crc32);
  }
  CHECK(second.written_bytes() < second.size_bytes());
  CHECK(second.written_bytes() == second.size_bytes() - shared_bytes(p1));
  // Nothing changed: only the private files are written.
  const auto third = incremental(*b, dir, 3);
  CHECK(third.parts[0].reused_bytes == shared_bytes(third.parts[0]));
  CHECK(third.written_bytes() == third.size_bytes() - shared_bytes(third.parts[0]));
}

TEST_CASE("rocksdb restore from each incremental snapshot of a chain sees its state") {
  temp_dir dir;
  const auto c = make_chain(dir, 6);
  for (std::size_t i = 0; i < c.handles.size(); ++i) {
    CAPTURE(i);
    auto restored = rocksdb_test::backend(rocksdb_test::config(dir));
    restored->restore({c.handles[i]});
    check_model(*restored, c.models[i]);
  }
}

TEST_CASE("rocksdb restored backend references the restored shared files") {
  temp_dir dir;
  const auto c = make_chain(dir, 2);
  auto restored = rocksdb_test::backend(rocksdb_test::config(dir));
  restored->restore({c.handles.back()});
  const auto next = incremental(*restored, dir, 3);
  const auto& p = next.parts[0];
  CHECK(p.reused_bytes == shared_bytes(c.handles.back().parts[0]));
  // Every restored file is referenced (the restore's range deletions may add one).
  std::set<std::string> after;
  for (const auto& f : p.shared)
    after.insert(f.path);
  for (const auto& f : c.handles.back().parts[0].shared)
    CHECK(after.count(f.path) == 1);
  // Into another shared directory (another job's), everything is uploaded again.
  auto other = rocksdb_test::backend(rocksdb_test::config(dir));
  other->restore({c.handles.back()});
  const auto elsewhere = other->snapshot(3, dir / "other/chk-3", dir / "other/shared");
  CHECK(elsewhere.parts[0].reused_bytes == 0);
  for (const auto& f : elsewhere.parts[0].shared)
    CHECK(fs::path(f.path).parent_path() == dir / "other/shared");
  auto again = rocksdb_test::backend(rocksdb_test::config(dir));
  again->restore({elsewhere});
  check_model(*again, c.models.back());
}

TEST_CASE("rocksdb incremental snapshots restore at another parallelism and into the heap") {
  temp_dir dir;
  const auto c = make_chain(dir, 3, 2);
  const std::vector<keyed_state_handle> last(c.handles.end() - 2, c.handles.end());
  for (int parallelism : {1, 3}) {
    for (int i = 0; i < parallelism; ++i) {
      CAPTURE(parallelism);
      CAPTURE(i);
      auto b = rocksdb_test::backend(rocksdb_test::config(dir), parallelism, i);
      b->restore(last);
      check_model(*b, c.models.back());
    }
  }
  auto config = rocksdb_test::config(dir);
  config.kind = state_backend_kind::heap;
  auto heap = rocksdb_test::backend(config);
  heap->set_key_type<std::int64_t>();
  heap->restore(last);
  check_model(*heap, c.models.back());
}

TEST_CASE("rocksdb full snapshot after incremental ones is self-contained") {
  temp_dir dir;
  const auto c = make_chain(dir, 2);
  auto b = rocksdb_test::backend(rocksdb_test::config(dir));
  b->restore({c.handles.back()});
  const auto full = b->snapshot(9, dir / "savepoint");
  CHECK(full.parts[0].kind == keyed_state_part::format::rocksdb_checkpoint);
  CHECK(full.parts[0].shared.empty());
  fs::remove_all(dir / "shared");
  auto restored = rocksdb_test::backend(rocksdb_test::config(dir));
  restored->restore({full});
  check_model(*restored, c.models.back());
}

TEST_CASE("rocksdb restore names a missing or corrupt shared file") {
  temp_dir dir;
  const auto c = make_chain(dir, 1);
  const auto& f = c.handles[0].parts[0].shared.front();
  const auto copy = dir / "copy.sst";
  fs::copy_file(f.path, copy);
  SUBCASE("missing") {
    fs::remove(f.path);
    for (int parallelism : {1, 2}) {
      auto b = rocksdb_test::backend(rocksdb_test::config(dir), parallelism, 0);
      CHECK_THROWS_WITH_AS(b->restore(c.handles),
                           doctest::Contains(("shared state file '" + f.path + "'").c_str()),
                           state_error);
    }
  }
  SUBCASE("bytes changed in place") {
    rocksdb_test::flip_middle_byte(f.path);
    CHECK(fs::file_size(f.path) == f.size_bytes);
    auto b = rocksdb_test::backend(rocksdb_test::config(dir));
    CHECK_THROWS_WITH_AS(
        b->restore(c.handles),
        doctest::Contains(("'" + f.path + "' of checkpoint '" + c.handles[0].parts[0].path +
                           "' is corrupt: checksum mismatch")
                              .c_str()),
        state_error);
  }
  SUBCASE("truncated") {
    fs::resize_file(f.path, f.size_bytes - 1);
    auto b = rocksdb_test::backend(rocksdb_test::config(dir));
    CHECK_THROWS_WITH_AS(b->restore(c.handles),
                         doctest::Contains(("'" + f.path + "' of checkpoint").c_str()),
                         state_error);
  }
  // Put back, the checkpoint restores again.
  fs::remove(f.path);
  fs::copy_file(copy, f.path);
  auto b = rocksdb_test::backend(rocksdb_test::config(dir));
  b->restore(c.handles);
  check_model(*b, c.models[0]);
}
