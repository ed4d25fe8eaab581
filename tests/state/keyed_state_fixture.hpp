#pragma once
// What the keyed state tests share: the list of backends every suite test runs against, a
// fresh temporary directory per test, and backends built the way a task manager builds them.

#include "sluice/state/get_keyed_state.hpp"
#include "../temp_dir.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace sluice::test {

/// --state-cache-entries' default (state_backend_config's).
inline constexpr std::size_t default_cache_entries = 65536;

struct heap_backend {
  static constexpr state_backend_kind kind = state_backend_kind::heap;
  static constexpr std::size_t cache_entries = default_cache_entries;
};

struct rocksdb_backend {
  static constexpr state_backend_kind kind = state_backend_kind::rocksdb;
  static constexpr std::size_t cache_entries = default_cache_entries;
};

/// RocksDB whose value caches hold 8 entries, so that the tests' keys go through evictions.
struct rocksdb_small_cache_backend {
  static constexpr state_backend_kind kind = state_backend_kind::rocksdb;
  static constexpr std::size_t cache_entries = 8;
};

/// The backends every keyed-state suite test runs against: adding one is adding it here.
#define SLUICE_KEYED_BACKENDS                                                                      \
  sluice::test::heap_backend, sluice::test::rocksdb_backend,                                       \
      sluice::test::rocksdb_small_cache_backend

/// Where and how the backends of one test are made.
struct backend_options {
  int max_parallelism = 128;
  const ttl_clock* clock = &system_ttl_clock::instance();
  std::string owner = "counter (1/1)";
  std::size_t cache_entries = default_cache_entries;
};

/// `o` with backend B's cache size.
template <class B> backend_options options_for(backend_options o = {}) {
  o.cache_entries = B::cache_entries;
  return o;
}

/// A backend of `kind` owning `range`, its RocksDB instances (if any) under `dir`.
std::unique_ptr<keyed_state_backend> make_backend(state_backend_kind kind, const temp_dir& dir,
                                                  key_group_range range,
                                                  const backend_options& options = {});

template <class B>
std::unique_ptr<keyed_state_backend> make_backend(const temp_dir& dir,
                                                  const backend_options& options = {}) {
  return make_backend(B::kind, dir, {0, options.max_parallelism - 1}, options_for<B>(options));
}

/// The backends of subtasks 0..parallelism-1, each owning key_group_range_for_subtask's range.
std::vector<std::unique_ptr<keyed_state_backend>>
make_subtask_backends(state_backend_kind kind, const temp_dir& dir, int parallelism,
                      const backend_options& options = {});

/// The subtask owning `key` at `parallelism`.
int subtask_of(std::int64_t key, int parallelism, int max_parallelism = 128);

/// Snapshots every backend at checkpoint `id` into `dir`/snapshots.
std::vector<keyed_state_handle>
snapshot_all(std::vector<std::unique_ptr<keyed_state_backend>>& backends, std::int64_t id,
             const temp_dir& dir);

/// Checks that `f` throws state_error whose message contains every one of `parts`.
template <class F>
void check_state_error(F&& f, const std::vector<std::string>& parts) {
  try {
    f();
    FAIL("expected a state_error");
  } catch (const state_error& e) {
    const std::string message = e.what();
    for (auto& part : parts)
      CHECK_MESSAGE(message.find(part) != std::string::npos, message, " lacks '", part, "'");
  }
}

/// Overwrites one byte of the file at `offset` from its start (flipping its bits).
void corrupt_byte(const std::filesystem::path& file, std::uintmax_t offset);

} // namespace sluice::test

TYPE_TO_STRING_AS("heap", sluice::test::heap_backend);
TYPE_TO_STRING_AS("rocksdb", sluice::test::rocksdb_backend);
TYPE_TO_STRING_AS("rocksdb, 8-entry cache", sluice::test::rocksdb_small_cache_backend);
