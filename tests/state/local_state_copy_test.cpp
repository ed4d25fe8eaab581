// Local copies of keyed snapshots (local recovery): a copy restores the same state without the
// checkpoint directory, on either backend and for every form (full and incremental); a RocksDB backend restored
// from one takes the checkpoint's shared files as uploaded; a missing or truncated file of a
// copy is named; handles compare equal across directories only when they describe one snapshot.

#include "rocksdb_test_support.hpp"

#include "sluice/state/local_state_copy.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <string>

using namespace sluice;
using rocksdb_test::temp_dir;

namespace {

namespace fs = std::filesystem;

constexpr std::int64_t keys = 500;
const value_state_descriptor<std::int64_t> value_d("value");

state_backend_config config_of(state_backend_kind kind, const temp_dir& dir) {
  auto c = rocksdb_test::config(dir);
  c.kind = kind;
  return c;
}

/// Key k holds k * 3 + round.
void write_keys(keyed_state_backend& b, std::int64_t round) {
  for (std::int64_t k = 0; k < keys; ++k) {
    b.set_current_key(k);
    b.get_state(value_d).update(k * 3 + round);
  }
}

void check_keys(keyed_state_backend& b, std::int64_t round) {
  for (std::int64_t k = 0; k < keys; ++k) {
    b.set_current_key(k);
    REQUIRE(b.get_state(value_d).value() == k * 3 + round);
  }
  CHECK(b.entry_count("value") == static_cast<std::size_t>(keys));
}

/// A snapshot of `kind` (incremental when `shared`) at checkpoint 1, its copy under dir/local,
/// and the checkpoint directory removed: what a restore from the copy has.
local_keyed_copy copied_snapshot(state_backend_kind kind, bool shared, const temp_dir& dir) {
  auto b = rocksdb_test::backend(config_of(kind, dir));
  write_keys(*b, 7);
  const auto checkpointed = b->snapshot(1, dir / "chk/chk-1", shared ? dir / "chk/shared" : "");
  fs::create_directories(dir / "local");
  auto local = copy_keyed_state("count (1/1)", checkpointed, dir / "local");
  CHECK(local_copy_problem(local).empty());
  CHECK(local.size_bytes() == checkpointed.size_bytes());
  return {local, checkpointed};
}

} // namespace

TEST_CASE("a local copy restores the state without the checkpoint directory") {
  for (auto [kind, shared] : {std::pair{state_backend_kind::heap, false},
                              std::pair{state_backend_kind::heap, true},
                              std::pair{state_backend_kind::rocksdb, false},
                              std::pair{state_backend_kind::rocksdb, true}}) {
    CAPTURE(to_string(kind));
    CAPTURE(shared);
    temp_dir dir;
    const auto copy = copied_snapshot(kind, shared, dir);
    fs::remove_all(dir / "chk");
    auto restored = rocksdb_test::backend(config_of(kind, dir));
    restored->restore_local(copy);
    restored->set_key_type<std::int64_t>();
    check_keys(*restored, 7);
  }
}

TEST_CASE("a RocksDB backend restored from a local copy reuses the checkpoint's shared files") {
  temp_dir dir;
  const auto copy = copied_snapshot(state_backend_kind::rocksdb, true, dir);
  auto restored = rocksdb_test::backend(config_of(state_backend_kind::rocksdb, dir));
  restored->restore_local(copy);
  const auto next = restored->snapshot(2, dir / "chk/chk-2", dir / "chk/shared");
  std::uint64_t shared_bytes = 0;
  for (const auto& f : copy.checkpointed.parts.front().shared)
    shared_bytes += f.size_bytes;
  REQUIRE(shared_bytes > 0);
  CHECK(next.parts.front().reused_bytes == shared_bytes);
}

TEST_CASE("a local copy with a file missing or truncated names it") {
  for (auto [kind, shared] : {std::pair{state_backend_kind::heap, false},
                              std::pair{state_backend_kind::rocksdb, true}}) {
    CAPTURE(to_string(kind));
    for (bool truncated : {true, false}) {
      CAPTURE(truncated);
      temp_dir dir;
      const auto copy = copied_snapshot(kind, shared, dir);
      const auto& part = copy.local.parts.front();
      if (truncated) {
        const auto file =
            fs::is_directory(part.path) ? fs::path(part.path) / "CURRENT" : fs::path(part.path);
        fs::resize_file(file, fs::file_size(file) - 1);
        CHECK(local_copy_problem(copy.local) == "'" + part.path + "' holds " +
                                                    std::to_string(part.size_bytes - 1) +
                                                    " bytes, " + std::to_string(part.size_bytes) +
                                                    " expected");
      } else {
        fs::remove_all(part.path);
        CHECK(local_copy_problem(copy.local) == "'" + part.path + "' is missing");
      }
    }
  }
}

TEST_CASE("handles describe the same snapshot whatever their directories") {
  temp_dir dir;
  const auto copy = copied_snapshot(state_backend_kind::rocksdb, true, dir);
  auto moved = copy.checkpointed;
  for (auto& p : moved.parts) {
    p.path = (fs::path("elsewhere") / fs::path(p.path).filename()).string();
    for (auto& f : p.shared)
      f.path = (fs::path("elsewhere") / fs::path(f.path).filename()).string();
  }
  CHECK(same_snapshot(copy.checkpointed, moved));
  auto other = copy.checkpointed;
  other.parts.front().shared.front().crc32 ^= 1;
  CHECK_FALSE(same_snapshot(copy.checkpointed, other));
  other = copy.checkpointed;
  other.range = {0, 63};
  CHECK_FALSE(same_snapshot(copy.checkpointed, other));
  CHECK_FALSE(same_snapshot(copy.checkpointed, copy.local));
}

TEST_CASE("a local copy of an incremental heap snapshot names a damaged key group file") {
  temp_dir dir;
  const auto copy = copied_snapshot(state_backend_kind::heap, true, dir);
  const auto& part = copy.local.parts.front();
  REQUIRE(part.kind == keyed_state_part::format::heap_incremental);
  REQUIRE(!part.shared.empty());
  const auto& f = part.shared.front();
  CHECK(fs::path(f.path).parent_path() == fs::path(part.path).parent_path());
  fs::resize_file(f.path, f.size_bytes - 1);
  CHECK(local_copy_problem(copy.local) ==
        "'" + f.path + "' is missing or not of its " + std::to_string(f.size_bytes) + " bytes");
  fs::remove(f.path);
  CHECK(local_copy_problem(copy.local) ==
        "'" + f.path + "' is missing or not of its " + std::to_string(f.size_bytes) + " bytes");
}
