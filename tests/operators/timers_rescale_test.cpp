// Timers are keyed state: keyed process operators at parallelism 3 register event-time and
// processing-time timers for many keys (and count each key's requests in a value state), their
// backends are snapshot, and new instances at parallelism 2 and 5 restore from all the
// snapshots, on the same backend or the other one. Every timer then fires exactly once, at the
// subtask that owns its key, with its key's count; the expected firings are computed here from
// the input.
// Operators are driven directly, without actors.

#include "sluice/operators/core/keyed_operators.hpp"
#include "test_keyed_state_backend.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>


using namespace sluice;

namespace {

constexpr int max_parallelism = 128;
constexpr std::int64_t key_count = 500;

/// A request for a timer of `key` at `time`.
using timer_request = std::pair<std::int64_t, std::int64_t>;
/// A firing: key, time, domain (0 event time, 1 processing time), subtask it fired at, the
/// key's requests.
using firing = std::tuple<std::int64_t, std::int64_t, int, int, std::int64_t>;

int domain_code(time_domain d) { return d == time_domain::event_time ? 0 : 1; }

/// Registers an event-time timer at the element's time and, for odd keys, a processing-time
/// timer 1000 later, and counts the key's requests; reports every timer that fires.
class timer_registrar final
    : public keyed_process_function<std::int64_t, timer_request, firing> {
public:
  void process_element(timer_request&& r, context& ctx, collector<firing>&) override {
    requests_->update(requests_->value().value_or(0) + 1);
    ctx.timer_service().register_event_time_timer(r.second);
    if (r.first % 2 == 1)
      ctx.timer_service().register_processing_time_timer(r.second + 1000);
  }
  void on_timer(std::int64_t time, on_timer_context& ctx, collector<firing>& out) override {
    out.collect(firing{ctx.current_key(), time, domain_code(ctx.time_domain()), subtask_,
                       requests_->value().value_or(0)});
  }
  void open(const runtime_context& ctx) override {
    subtask_ = ctx.subtask_index;
    requests_ = &ctx.get_state(value_state_descriptor<std::int64_t>("requests"));
  }

private:
  int subtask_ = -1;
  value_state<std::int64_t>* requests_ = nullptr;
};

struct key_of_request {
  std::int64_t operator()(const timer_request& r) const { return r.first; }
};

using timer_operator = keyed_process_operator<timer_registrar, key_of_request>;

/// Collects what an operator emits.
class firings final : public collector<firing> {
public:
  void collect(firing&& f) override { all.push_back(f); }
  void emit_watermark(std::int64_t) override {}
  using collector<firing>::collect;
  std::vector<firing> all;
};

/// One subtask of the operator with its backend, restored from `handles` if any.
struct subtask {
  std::unique_ptr<keyed_state_backend> backend;
  timer_operator op{timer_registrar{}, key_of_request{}};
  firings out;
  timestamp_slot time;

  subtask(const state_backend_config& config, int parallelism, int index,
          const std::vector<keyed_state_handle>& handles) {
    runtime_context ctx{"timers", "timers", index, parallelism, max_parallelism};
    backend = make_keyed_state_backend(
        config, ctx.task_name(), key_group_range_for_subtask(max_parallelism, parallelism, index),
        max_parallelism);
    if (!handles.empty())
      backend->restore(handles);
    ctx.keyed_state = backend.get();
    ctx.element_time = &time;
    op.set_output(out);
    op.open(ctx);
  }
};

int owner_of(std::int64_t key, int parallelism) {
  return subtask_for_key_group(key_group_for_hash(key_hash(key), max_parallelism), parallelism,
                               max_parallelism);
}

std::vector<std::unique_ptr<subtask>> start(const state_backend_config& config, int parallelism,
                                            const std::vector<keyed_state_handle>& handles) {
  std::vector<std::unique_ptr<subtask>> out;
  for (int i = 0; i < parallelism; ++i)
    out.push_back(std::make_unique<subtask>(config, parallelism, i, handles));
  return out;
}

/// A few timers per key, some requested twice (one timer per key, time and domain).
std::vector<timer_request> requests() {
  std::vector<timer_request> out;
  for (std::int64_t key = 0; key < key_count; ++key)
    for (std::int64_t i = 0; i < 1 + key % 3; ++i)
      out.push_back({key, 100 + (key * 7 + i * 13) % 50});
  for (std::int64_t key = 0; key < key_count; key += 10)
    out.push_back({key, 100 + (key * 7) % 50});
  return out;
}

std::vector<firing> expected_firings(const std::vector<timer_request>& reqs, int parallelism) {
  std::map<std::int64_t, std::int64_t> counts;
  for (const auto& r : reqs)
    ++counts[r.first];
  std::set<firing> unique;
  for (const auto& [key, time] : reqs) {
    unique.insert({key, time, 0, owner_of(key, parallelism), counts[key]});
    if (key % 2 == 1)
      unique.insert({key, time + 1000, 1, owner_of(key, parallelism), counts[key]});
  }
  return {unique.begin(), unique.end()};
}

/// Fires every timer of `subtasks` (the maximum watermark and processing time); what fired,
/// sorted.
std::vector<firing> fire_all(std::vector<std::unique_ptr<subtask>>& subtasks) {
  std::vector<firing> fired;
  for (auto& s : subtasks) {
    s->op.process_watermark(max_watermark);
    s->op.on_processing_time(max_watermark);
    fired.insert(fired.end(), s->out.all.begin(), s->out.all.end());
  }
  std::sort(fired.begin(), fired.end());
  return fired;
}

} // namespace

TEST_CASE("timers are snapshot per key group and fire once at their key's owner after rescaling") {
  test::temp_dir scratch; // removed at scope exit, also when a check fails
  const std::filesystem::path dir = scratch.path();
  const auto heap = state_backend_kind::heap, rocksdb = state_backend_kind::rocksdb;
  for (auto [kind, restored_kind] : {std::pair{heap, heap}, std::pair{rocksdb, rocksdb},
                                     std::pair{heap, rocksdb}, std::pair{rocksdb, heap}}) {
    const std::string backend = to_string(kind), restored_backend = to_string(restored_kind);
    CAPTURE(backend);
    CAPTURE(restored_backend);
    state_backend_config config;
    config.kind = kind;
    config.state_dir = (dir / (backend + "-" + restored_backend)).string();
    std::filesystem::create_directories(config.state_dir);
    const auto reqs = requests();
    std::vector<keyed_state_handle> handles;
    {
      auto before = start(config, 3, {});
      for (auto r : reqs)
        before[static_cast<std::size_t>(owner_of(r.first, 3))]->op.collect(std::move(r));
      for (auto& s : before) {
        handles.push_back(s->backend->snapshot(1, config.state_dir));
        CHECK(s->out.all.empty());
      }
    }
    for (int parallelism : {2, 5}) {
      CAPTURE(parallelism);
      auto restored_config = config;
      restored_config.kind = restored_kind;
      auto after = start(restored_config, parallelism, handles);
      CHECK(fire_all(after) == expected_firings(reqs, parallelism));
    }
  }
}

TEST_CASE("timers join incremental heap snapshots: only key groups whose timers fired are written") {
  test::temp_dir scratch;
  const std::filesystem::path dir = scratch.path();
  state_backend_config config;
  config.kind = state_backend_kind::heap;
  config.state_dir = dir.string();
  const auto reqs = requests();
  const auto shared = (dir / "shared").string();
  auto before = start(config, 1, {});
  for (auto r : reqs)
    before[0]->op.collect(std::move(r));
  before[0]->backend->snapshot(1, (dir / "chk-1").string(), shared);
  // The event-time timers at 100 fire: their keys' key groups, and no others, change.
  constexpr std::int64_t watermark = 100;
  before[0]->op.process_watermark(watermark);
  std::set<int> changed;
  std::vector<firing> fired_before;
  for (const auto& f : expected_firings(reqs, 1)) {
    if (std::get<2>(f) != 0 || std::get<1>(f) > watermark)
      continue;
    fired_before.push_back(f);
    changed.insert(key_group_for_hash(key_hash(std::get<0>(f)), max_parallelism));
  }
  REQUIRE(!changed.empty());
  REQUIRE(changed.size() < 40);
  auto fired_first = before[0]->out.all;
  std::sort(fired_first.begin(), fired_first.end());
  CHECK(fired_first == fired_before);
  const auto handle = before[0]->backend->snapshot(2, (dir / "chk-2").string(), shared);
  std::set<int> written;
  for (const auto& f : handle.parts.at(0).shared)
    if (f.path.find("-chk2.heap") != std::string::npos)
      written.insert(std::stoi(f.local_name));
  CHECK(written == changed);
  // Restored at parallelism 2, the timers that had not fired fire once each.
  auto after = start(config, 2, {handle});
  std::vector<firing> rest;
  for (const auto& f : expected_firings(reqs, 2))
    if (std::get<2>(f) != 0 || std::get<1>(f) > watermark)
      rest.push_back(f);
  CHECK(fire_all(after) == rest);
}
