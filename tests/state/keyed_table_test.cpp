// keyed_table on every backend: per-key sums written at parallelism 3 are snapshot, restored at
// parallelism 2 and 5 on the same and on the other backend, changed there, snapshot again and
// restored at parallelism 3 on the first backend. Every subtask finds exactly its keys' sums;
// expected sums are computed here from the inputs.

#include "keyed_state_fixture.hpp"
#include "sluice/state/keyed_table.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

using namespace sluice;
using sluice::test::temp_dir;

namespace {

constexpr std::int64_t keys = 300;
using sums = std::map<std::int64_t, std::int64_t>;

/// The subtasks of one parallelism, each with its backend and table "sums".
struct subtasks {
  std::vector<std::unique_ptr<keyed_state_backend>> backends;
  std::vector<keyed_table<std::int64_t, std::int64_t>> tables;

  subtasks(state_backend_kind kind, const temp_dir& dir, int parallelism,
           const std::vector<keyed_state_handle>& handles = {})
      : backends(test::make_subtask_backends(kind, dir, parallelism)),
        tables(static_cast<std::size_t>(parallelism)) {
    for (std::size_t i = 0; i < backends.size(); ++i) {
      if (!handles.empty())
        backends[i]->restore(handles);
      backends[i]->set_key_type<std::int64_t>();
      tables[i].open(*backends[i], "sums");
    }
  }
  int parallelism() const { return static_cast<int>(tables.size()); }
  keyed_table<std::int64_t, std::int64_t>& owner(std::int64_t key) {
    return tables[static_cast<std::size_t>(test::subtask_of(key, parallelism()))];
  }
  /// Adds `v` to the sum of `key`; returns the sum now held.
  std::int64_t add(std::int64_t key, std::int64_t v) {
    return owner(key).upsert(
        key, [&] { return v; }, [&](std::int64_t& sum) { sum += v; });
  }
  /// Checks that each subtask finds exactly its keys of `expected` and counts them.
  void check(const sums& expected) {
    for (std::int64_t key = 0; key < keys; ++key) {
      const std::int64_t* found = owner(key).find(key);
      const auto it = expected.find(key);
      CHECK((found != nullptr) == (it != expected.end()));
      if (found != nullptr && it != expected.end())
        CHECK(*found == it->second);
    }
    std::vector<std::size_t> owned(tables.size());
    for (const auto& entry : expected)
      ++owned[static_cast<std::size_t>(test::subtask_of(entry.first, parallelism()))];
    for (std::size_t i = 0; i < tables.size(); ++i)
      CHECK(backends[i]->entry_count("sums") == owned[i]);
  }
};

} // namespace

TEST_CASE("a keyed table restores across backends and parallelisms, and back") {
  for (const auto from : {state_backend_kind::heap, state_backend_kind::rocksdb}) {
    for (const auto to : {state_backend_kind::heap, state_backend_kind::rocksdb}) {
      INFO(to_string(from) << " restored into " << to_string(to));
      temp_dir dir;
      subtasks first(from, dir, 3);
      sums expected;
      for (std::int64_t key = 0; key < keys; ++key) {
        for (std::int64_t v = 1; v <= key % 7 + 1; ++v)
          CHECK(first.add(key, v) == v * (v + 1) / 2);
        expected[key] = (key % 7 + 1) * (key % 7 + 2) / 2;
      }
      first.check(expected);
      const auto handles = test::snapshot_all(first.backends, 1, dir);

      for (const int parallelism : {2, 5}) {
        CAPTURE(parallelism);
        subtasks second(to, dir, parallelism, handles);
        second.check(expected);
        sums changed = expected;
        for (std::int64_t key = 0; key < keys; key += 3) {
          CHECK(second.add(key, 1000) == expected[key] + 1000);
          changed[key] += 1000;
        }
        for (std::int64_t key = 1; key < keys; key += 10) {
          second.owner(key).erase(key);
          changed.erase(key);
        }
        second.check(changed);

        subtasks back(from, dir, 3, test::snapshot_all(second.backends, 2, dir));
        back.check(changed);
      }
    }
  }
}
