// Snapshot participants (per-key data outside the state API, like timers) on every backend in
// SLUICE_KEYED_BACKENDS: written per key group, restored at another parallelism, each entry
// reaching the subtask that owns its key group.

#include "keyed_state_fixture.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

using namespace sluice;
using sluice::test::temp_dir;

namespace {

/// Timers by key, as a keyed operator would keep them.
class timer_table final : public keyed_snapshot_participant {
public:
  explicit timer_table(int max_parallelism) : max_parallelism_(max_parallelism) {}

  std::map<std::int64_t, std::int64_t> timers;

  void write_snapshot(key_group_sink& out) override {
    std::map<int, std::map<std::int64_t, std::int64_t>> by_group;
    for (auto& [key, time] : timers)
      by_group[key_group_of(key, max_parallelism_)].emplace(key, time);
    for (auto& [group, entries] : by_group)
      serialize(out.key_group(group), entries);
  }

  void read_key_group(int key_group, byte_reader& in) override {
    for (auto& [key, time] : deserialize<std::map<std::int64_t, std::int64_t>>(in)) {
      CHECK(key_group_of(key, max_parallelism_) == key_group);
      timers.emplace(key, time);
    }
  }

private:
  int max_parallelism_;
};

} // namespace

TEST_CASE_TEMPLATE("participants are restored per key group at another parallelism", B,
                   SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  constexpr std::int64_t keys = 600;
  auto old_subtasks = test::make_subtask_backends(B::kind, dir, 3, test::options_for<B>());
  std::vector<timer_table> old_timers(3, timer_table(128));
  for (std::int64_t k = 0; k < keys; ++k)
    old_timers[std::size_t(test::subtask_of(k, 3))].timers.emplace(k, 1000 + k);
  for (std::size_t i = 0; i < 3; ++i)
    old_subtasks[i]->register_participant("timers", old_timers[i]);
  auto handles = test::snapshot_all(old_subtasks, 7, dir);

  for (int parallelism : {2, 5}) {
    CAPTURE(parallelism);
    auto new_subtasks = test::make_subtask_backends(B::kind, dir, parallelism, test::options_for<B>());
    std::vector<timer_table> new_timers(std::size_t(parallelism), timer_table(128));
    for (int i = 0; i < parallelism; ++i) {
      new_subtasks[std::size_t(i)]->restore(handles);
      new_subtasks[std::size_t(i)]->register_participant("timers", new_timers[std::size_t(i)]);
      std::map<std::int64_t, std::int64_t> expected;
      for (std::int64_t k = 0; k < keys; ++k)
        if (test::subtask_of(k, parallelism) == i)
          expected.emplace(k, 1000 + k);
      CHECK(new_timers[std::size_t(i)].timers == expected);
    }
  }
}

TEST_CASE_TEMPLATE("a participant's name cannot be a state's", B, SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  test::backend_options options;
  options.owner = "window (1/1)";
  auto backend = test::make_backend<B>(dir, options);
  timer_table timers(128);
  backend->register_participant("timers", timers);
  test::check_state_error([&] { backend->register_participant("timers", timers); },
                          {"window (1/1)", "timers"});
  test::check_state_error(
      [&] { backend->get_state(value_state_descriptor<std::int64_t>("timers")); },
      {"window (1/1)", "timers"});
}

TEST_CASE_TEMPLATE("restored state not registered yet survives the next snapshot", B,
                   SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  timer_table timers(128);
  for (std::int64_t k = 0; k < 50; ++k)
    timers.timers.emplace(k, k);
  auto first = test::make_backend<B>(dir);
  first->register_participant("timers", timers);
  auto handle = first->snapshot(1, (dir.path() / "snapshots").string());

  auto second = test::make_backend<B>(dir);
  second->restore({handle});
  auto second_handle = second->snapshot(2, (dir.path() / "snapshots").string());

  auto third = test::make_backend<B>(dir);
  third->restore({second_handle});
  timer_table restored(128);
  third->register_participant("timers", restored);
  CHECK(restored.timers == timers.timers);
}
