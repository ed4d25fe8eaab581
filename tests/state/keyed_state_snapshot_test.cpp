// Snapshot and restore of keyed state on every backend in SLUICE_KEYED_BACKENDS: round trips,
// rescaling (every key restored exactly once, at the subtask owning its key group), and
// unreadable or mismatched snapshots.

#include "keyed_state_fixture.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

using namespace sluice;
using sluice::test::temp_dir;

namespace {

constexpr std::int64_t key_count = 1000;

value_state_descriptor<std::int64_t> count_descriptor() {
  return value_state_descriptor<std::int64_t>("count");
}
list_state_descriptor<std::string> seen_descriptor() {
  return list_state_descriptor<std::string>("seen");
}
map_state_descriptor<std::int32_t, std::string> tags_descriptor() {
  return map_state_descriptor<std::int32_t, std::string>("tags");
}

/// The values written for key k (and read back after a restore).
std::int64_t count_of(std::int64_t k) { return k * 10 + 1; }
std::vector<std::string> seen_of(std::int64_t k) {
  return {"a" + std::to_string(k), "b" + std::to_string(k)};
}

/// Writes every key's values into `backend` (in the namespace "w" for the map).
void fill(keyed_state_backend& backend, const std::vector<std::int64_t>& keys) {
  auto& count = backend.get_state(count_descriptor());
  auto& seen = backend.get_state(seen_descriptor());
  auto& tags = backend.get_state(tags_descriptor());
  for (auto k : keys) {
    backend.set_current_key(k);
    count.update(count_of(k));
    seen.add_all(seen_of(k));
    backend.set_current_namespace("w");
    tags.put(std::int32_t(k % 7), std::to_string(k));
    backend.set_current_namespace("");
  }
}

/// Checks that `backend` holds exactly the values fill() wrote for the keys it owns.
void check_restored(keyed_state_backend& backend, std::int64_t owned) {
  auto& count = backend.get_state(count_descriptor());
  auto& seen = backend.get_state(seen_descriptor());
  auto& tags = backend.get_state(tags_descriptor());
  CHECK(backend.entry_count("count") == std::size_t(owned));
  CHECK(backend.entry_count("seen") == std::size_t(2 * owned));
  CHECK(backend.entry_count("tags") == std::size_t(owned));
  for (std::int64_t k = 0; k < key_count; ++k) {
    if (!backend.key_groups().contains(key_group_of(k, backend.max_parallelism())))
      continue;
    backend.set_current_key(k);
    CHECK(count.value() == count_of(k));
    CHECK(seen.get() == seen_of(k));
    CHECK(tags.is_empty());
    backend.set_current_namespace("w");
    CHECK(tags.get(std::int32_t(k % 7)) == std::to_string(k));
    backend.set_current_namespace("");
  }
}

std::vector<std::int64_t> all_keys() {
  std::vector<std::int64_t> keys;
  for (std::int64_t k = 0; k < key_count; ++k)
    keys.push_back(k);
  return keys;
}

/// The first key-group file among the handles' parts.
std::filesystem::path key_group_file(const std::vector<keyed_state_handle>& handles) {
  for (auto& h : handles)
    for (auto& p : h.parts)
      if (p.kind == keyed_state_part::format::heap_key_groups)
        return p.path;
  FAIL("no key-group file in the snapshot");
  return {};
}

/// Restores `handles` into a fresh full-range backend, registering the states.
void restore_fresh(state_backend_kind kind, const temp_dir& dir,
                   const std::vector<keyed_state_handle>& handles) {
  auto backend = test::make_backend(kind, dir, {0, 127});
  backend->restore(handles);
  check_restored(*backend, key_count);
}

template <class B>
std::vector<keyed_state_handle> snapshot_of_all_keys(const temp_dir& dir) {
  auto backend = test::make_backend<B>(dir);
  fill(*backend, all_keys());
  return {backend->snapshot(1, (dir.path() / "snapshots").string())};
}

} // namespace

TEST_CASE_TEMPLATE("snapshot and restore at the same parallelism", B, SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  auto handles = snapshot_of_all_keys<B>(dir);
  REQUIRE(handles.size() == 1);
  CHECK(handles[0].range == key_group_range{0, 127});
  CHECK(handles[0].size_bytes() > 0);
  restore_fresh(B::kind, dir, handles);
}

TEST_CASE_TEMPLATE("the asynchronous part writes the state as of the synchronous part", B,
                   SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  auto backend = test::make_backend<B>(dir);
  fill(*backend, all_keys());
  auto write = backend->snapshot_sync(1, (dir.path() / "snapshots").string());
  auto& count = backend->get_state(count_descriptor());
  backend->set_current_key(std::int64_t{5});
  count.update(-1);
  restore_fresh(B::kind, dir, {write()});
}

TEST_CASE_TEMPLATE("rescaling from 3 subtasks to 2 and to 5", B, SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  auto old_subtasks = test::make_subtask_backends(B::kind, dir, 3, test::options_for<B>());
  for (int i = 0; i < 3; ++i) {
    std::vector<std::int64_t> keys;
    for (std::int64_t k = 0; k < key_count; ++k)
      if (test::subtask_of(k, 3) == i)
        keys.push_back(k);
    fill(*old_subtasks[std::size_t(i)], keys);
  }
  auto handles = test::snapshot_all(old_subtasks, 1, dir);
  for (int parallelism : {2, 5}) {
    CAPTURE(parallelism);
    auto new_subtasks = test::make_subtask_backends(B::kind, dir, parallelism, test::options_for<B>());
    std::int64_t total = 0;
    for (int i = 0; i < parallelism; ++i) {
      std::int64_t owned = 0;
      for (std::int64_t k = 0; k < key_count; ++k)
        owned += test::subtask_of(k, parallelism) == i ? 1 : 0;
      new_subtasks[std::size_t(i)]->restore(handles);
      check_restored(*new_subtasks[std::size_t(i)], owned);
      total += owned;
    }
    CHECK(total == key_count);
  }
}

TEST_CASE_TEMPLATE("a corrupt or truncated snapshot file is an error naming it", B,
                   SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  auto handles = snapshot_of_all_keys<B>(dir);
  const auto file = key_group_file(handles);
  const auto size = std::filesystem::file_size(file);
  SUBCASE("corrupt") {
    test::corrupt_byte(file, size / 2);
  }
  SUBCASE("truncated") {
    std::filesystem::resize_file(file, size - 5);
  }
  SUBCASE("only a few bytes") {
    std::filesystem::resize_file(file, 3);
  }
  SUBCASE("missing") {
    std::filesystem::remove(file);
  }
  auto backend = test::make_backend<B>(dir);
  test::check_state_error([&] { backend->restore(handles); }, {file.string()});
}

TEST_CASE_TEMPLATE("a snapshot of an unknown backend is refused", B, SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  auto handles = snapshot_of_all_keys<B>(dir);
  handles[0].backend = "memory";
  test::backend_options options;
  options.owner = "join (1/1)";
  auto backend = test::make_backend<B>(dir, options);
  test::check_state_error([&] { backend->restore(handles); }, {"join (1/1)", "'memory'"});
}

TEST_CASE_TEMPLATE("a state restored under another type is an error naming it", B,
                   SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  auto handles = snapshot_of_all_keys<B>(dir);
  auto backend = test::make_backend<B>(dir);
  backend->restore(handles);
  test::check_state_error(
      [&] { backend->get_state(value_state_descriptor<std::string>("count")); }, {"'count'"});
}

TEST_CASE_TEMPLATE("entry_count of a state not registered is an error naming it", B,
                   SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  auto handles = snapshot_of_all_keys<B>(dir);
  auto backend = test::make_backend<B>(dir);
  test::check_state_error([&] { backend->entry_count("never"); }, {"'never'"});
  backend->restore(handles);
  test::check_state_error([&] { backend->entry_count("count"); }, {"'count'"});
  backend->get_state(count_descriptor());
  CHECK(backend->entry_count("count") == std::size_t(key_count));
}
