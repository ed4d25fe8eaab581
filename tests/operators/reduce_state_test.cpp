// The rolling reduce's running values are keyed state on both backends: reduce operators at
// parallelism 3 count per key, their backends are snapshot, and new instances at parallelism 2
// and 5 restore from all the snapshots. One more record per key then yields the key's count
// plus one, exactly once, at the subtask that owns the key. Expected counts are computed here
// from the input. Operators are driven directly, without actors.

#include "sluice/operators/core/keyed_operators.hpp"
#include "test_keyed_state_backend.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

using namespace sluice;
using sluice::test::test_max_parallelism;

namespace {

using counted = std::pair<std::int64_t, std::int64_t>; // key, count

struct key_of {
  std::int64_t operator()(const counted& c) const { return c.first; }
};
struct add_counts {
  counted operator()(counted acc, const counted& next) const {
    return {acc.first, acc.second + next.second};
  }
};
using counting_reduce = reduce_operator<std::int64_t, counted, key_of, add_counts>;

/// Collects what an operator emits.
class emitted final : public collector<counted> {
public:
  void collect(counted&& c) override { all.push_back(c); }
  void emit_watermark(std::int64_t) override {}
  using collector<counted>::collect;
  std::vector<counted> all;
};

struct subtask {
  std::unique_ptr<keyed_state_backend> backend;
  counting_reduce op{key_of{}, add_counts{}};
  emitted out;

  subtask(state_backend_kind kind, int parallelism, int index,
          const std::vector<keyed_state_handle>& handles) {
    runtime_context ctx{"reduce", "reduce", index, parallelism, test_max_parallelism};
    backend = test::make_test_keyed_state_backend(
        kind, key_group_range_for_subtask(test_max_parallelism, parallelism, index));
    if (!handles.empty())
      backend->restore(handles);
    ctx.keyed_state = backend.get();
    op.set_output(out);
    op.open(ctx);
  }
};

int owner_of(std::int64_t key, int parallelism) {
  return subtask_for_key_group(key_group_for_hash(key_hash(key), test_max_parallelism),
                               parallelism, test_max_parallelism);
}

/// Sends each record to the subtask owning its key, as key_by's partitioner does.
void feed(std::vector<std::unique_ptr<subtask>>& subtasks, const std::vector<counted>& records) {
  const int p = static_cast<int>(subtasks.size());
  for (auto r : records)
    subtasks[static_cast<std::size_t>(owner_of(r.first, p))]->op.collect(std::move(r));
}

std::vector<std::unique_ptr<subtask>> start(state_backend_kind kind, int parallelism,
                                            const std::vector<keyed_state_handle>& handles) {
  std::vector<std::unique_ptr<subtask>> out;
  for (int i = 0; i < parallelism; ++i)
    out.push_back(std::make_unique<subtask>(kind, parallelism, i, handles));
  return out;
}

} // namespace

TEST_CASE("the rolling reduce's running values are snapshot and rescaled on both backends") {
  constexpr std::int64_t keys = 400;
  std::vector<counted> first_run;
  std::map<std::int64_t, std::int64_t> counts;
  for (std::int64_t i = 0; i < 3000; ++i) {
    const std::int64_t key = (i * 7919) % keys;
    first_run.push_back({key, 1});
    ++counts[key];
  }
  std::vector<counted> one_each;
  for (const auto& [key, n] : counts)
    one_each.push_back({key, 1});

  for (auto kind : test::test_backend_kinds) {
    const std::string backend = to_string(kind);
    CAPTURE(backend);
    test::temp_dir dir;
    auto before = start(kind, 3, {});
    feed(before, first_run);
    std::vector<keyed_state_handle> handles;
    for (auto& s : before)
      handles.push_back(s->backend->snapshot(1, dir.path()));

    for (int p : {2, 5}) {
      CAPTURE(p);
      auto after = start(kind, p, handles);
      feed(after, one_each);
      for (int i = 0; i < p; ++i) {
        std::vector<counted> expected;
        for (const auto& [key, n] : counts)
          if (owner_of(key, p) == i)
            expected.push_back({key, n + 1});
        auto got = after[static_cast<std::size_t>(i)]->out.all;
        std::sort(got.begin(), got.end());
        CHECK(got == expected);
      }
    }
  }
}
