// Restores across backends: snapshots of the heap backend restored into RocksDB and the reverse,
// at the same parallelism and rescaled (3→2, 2→3), for every state kind in several namespaces,
// with TTL stamps carried over (expiry on a manual clock), participants (timers) kept, and
// states not registered after a restore kept by the next snapshot. Expected values come from
// the test's own model of what it wrote.

#include "keyed_state_fixture.hpp"

#include "sluice/state/value_state_sections.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace sluice;
using sluice::test::temp_dir;

namespace {

using key_type = std::string;
using average = std::pair<std::int64_t, std::int64_t>; // sum, count

constexpr int key_count = 300;
/// No namespace, and two of different sizes (windows use the window's byte form).
const std::vector<std::string> namespaces = {"", "w1", "window-22"};

std::string key_of(int k) { return "key-" + std::to_string(k); }

/// The subtask owning `key` at `parallelism`.
int owner(const key_type& key, int parallelism) {
  constexpr int max_parallelism = 128;
  return subtask_for_key_group(key_group_of(key, max_parallelism), parallelism, max_parallelism);
}

value_state_descriptor<std::int64_t> value_d(ttl_config ttl = {}) {
  return value_state_descriptor<std::int64_t>("v", std::nullopt, ttl);
}
list_state_descriptor<std::string> list_d(ttl_config ttl = {}) {
  return list_state_descriptor<std::string>("l", ttl);
}
map_state_descriptor<std::int32_t, std::string> map_d(ttl_config ttl = {}) {
  return map_state_descriptor<std::int32_t, std::string>("m", ttl);
}
reducing_state_descriptor<std::int64_t> reducing_d() {
  return reducing_state_descriptor<std::int64_t>(
      "r", [](std::int64_t a, std::int64_t b) { return a + b; });
}
aggregating_state_descriptor<std::int64_t, average, std::int64_t> aggregating_d() {
  aggregate_functions<std::int64_t, average, std::int64_t> f;
  f.create_accumulator = [] { return average{0, 0}; };
  f.add = [](average acc, std::int64_t v) { return average{acc.first + v, acc.second + 1}; };
  f.get_result = [](const average& acc) { return acc.first / acc.second; };
  return aggregating_state_descriptor<std::int64_t, average, std::int64_t>("a", f);
}

/// What the test writes for key k in namespace n, computed independently of any backend.
struct model {
  static std::int64_t value(int k, int n) { return k * 100 + n; }
  static std::vector<std::string> list(int k, int n) {
    std::vector<std::string> out;
    for (int i = 0; i <= (k + n) % 3; ++i)
      out.push_back(std::to_string(k) + "/" + std::to_string(n) + "/" + std::to_string(i));
    return out;
  }
  static std::map<std::int32_t, std::string> map(int k, int n) {
    std::map<std::int32_t, std::string> out;
    for (int i = 0; i <= (k + 2 * n) % 4; ++i)
      out[i * 7 - 3] = "m" + std::to_string(k * 10 + i);
    return out;
  }
  /// The numbers added to the reducing and aggregating states.
  static std::vector<std::int64_t> added(int k, int n) {
    return {k + 1, 2 * n + 3, k % 5};
  }
};

std::int64_t sum(const std::vector<std::int64_t>& v) {
  std::int64_t s = 0;
  for (auto x : v)
    s += x;
  return s;
}

/// Writes every key's values into the backends of the subtasks owning them.
void fill(std::vector<std::unique_ptr<keyed_state_backend>>& backends) {
  const int parallelism = static_cast<int>(backends.size());
  for (int k = 0; k < key_count; ++k) {
    auto& b = *backends[static_cast<std::size_t>(owner(key_of(k), parallelism))];
    b.set_key_type<key_type>();
    b.set_current_key(key_of(k));
    for (int n = 0; n < static_cast<int>(namespaces.size()); ++n) {
      b.set_current_namespace(namespaces[static_cast<std::size_t>(n)]);
      b.get_state(value_d()).update(model::value(k, n));
      b.get_state(list_d()).add_all(model::list(k, n));
      for (auto& [uk, uv] : model::map(k, n))
        b.get_state(map_d()).put(uk, uv);
      for (auto x : model::added(k, n)) {
        b.get_state(reducing_d()).add(x);
        b.get_state(aggregating_d()).add(x);
      }
    }
  }
}

/// Checks that `b` holds exactly the model's values of the keys it owns.
void check_restored(keyed_state_backend& b) {
  b.set_key_type<key_type>();
  auto& value = b.get_state(value_d());
  auto& list = b.get_state(list_d());
  auto& map = b.get_state(map_d());
  auto& reducing = b.get_state(reducing_d());
  auto& aggregating = b.get_state(aggregating_d());
  std::size_t values = 0, elements = 0, entries = 0;
  for (int k = 0; k < key_count; ++k) {
    if (!b.key_groups().contains(key_group_of(key_of(k), b.max_parallelism())))
      continue;
    CAPTURE(k);
    b.set_current_key(key_of(k));
    for (int n = 0; n < static_cast<int>(namespaces.size()); ++n) {
      CAPTURE(n);
      b.set_current_namespace(namespaces[static_cast<std::size_t>(n)]);
      CHECK(value.value() == model::value(k, n));
      CHECK(list.get() == model::list(k, n));
      const auto expected = model::map(k, n);
      auto got = map.entries(); // in the order of the user keys' bytes
      std::sort(got.begin(), got.end());
      CHECK(got ==
            std::vector<std::pair<std::int32_t, std::string>>(expected.begin(), expected.end()));
      CHECK(reducing.get() == sum(model::added(k, n)));
      CHECK(aggregating.get() ==
            sum(model::added(k, n)) / static_cast<std::int64_t>(model::added(k, n).size()));
      ++values;
      elements += model::list(k, n).size();
      entries += expected.size();
    }
  }
  // Nothing else: every key is restored once, at its owner.
  CHECK(b.entry_count("v") == values);
  CHECK(b.entry_count("l") == elements);
  CHECK(b.entry_count("m") == entries);
  CHECK(b.entry_count("r") == values);
  CHECK(b.entry_count("a") == values);
}

/// A participant (as timers are) that keeps a number per key; its sections have the heap form
/// of a value state.
class numbers final : public keyed_snapshot_participant {
public:
  explicit numbers(int max_parallelism) : max_parallelism_(max_parallelism) {}
  void write_snapshot(key_group_sink& out) override {
    sections::write(out, max_parallelism_, [&](auto&& f) {
      for (auto& [k, v] : by_key)
        f(k, v);
    });
  }
  void read_key_group(int, byte_reader& in) override {
    sections::read(in, [&](key_type&& k, std::int64_t&& v) { by_key[k] = v; });
  }
  std::map<key_type, std::int64_t> by_key;

private:
  using sections = value_state_sections<key_type, std::int64_t>;
  int max_parallelism_;
};

/// Runs f(from, to) for heap → RocksDB and RocksDB → heap, naming them in failures.
template <class F>
void in_both_directions(F&& f) {
  const auto heap = state_backend_kind::heap, rocksdb = state_backend_kind::rocksdb;
  for (auto [from_kind, to_kind] : {std::pair{heap, rocksdb}, std::pair{rocksdb, heap}}) {
    const std::string from = to_string(from_kind), to = to_string(to_kind);
    CAPTURE(from);
    CAPTURE(to);
    f(from_kind, to_kind);
  }
}

/// Snapshots of `parallelism` backends of `kind` filled by fill(); before(backend) runs on
/// each before the snapshot.
template <class Before>
std::vector<keyed_state_handle> filled_snapshot(state_backend_kind kind, const temp_dir& dir,
                                                int parallelism, Before&& before) {
  auto sources = test::make_subtask_backends(kind, dir, parallelism);
  fill(sources);
  for (auto& b : sources)
    before(*b);
  return test::snapshot_all(sources, 1, dir);
}
std::vector<keyed_state_handle> filled_snapshot(state_backend_kind kind, const temp_dir& dir,
                                                int parallelism) {
  return filled_snapshot(kind, dir, parallelism, [](keyed_state_backend&) {});
}

} // namespace

TEST_CASE("every state kind in every namespace restores across backends, rescaled or not") {
  const std::vector<std::pair<int, int>> parallelisms = {{2, 2}, {3, 2}, {2, 3}};
  in_both_directions([&](state_backend_kind from, state_backend_kind to) {
    for (auto [before, after] : parallelisms) {
      CAPTURE(before);
      CAPTURE(after);
      temp_dir dir;
      const auto handles = filled_snapshot(from, dir, before);
      auto targets = test::make_subtask_backends(to, dir, after);
      for (auto& b : targets) {
        b->restore(handles);
        check_restored(*b);
      }
      // The converted state snapshots and restores again on the target backend.
      auto again = test::snapshot_all(targets, 2, dir);
      auto third = test::make_subtask_backends(from, dir, before);
      for (auto& b : third) {
        b->restore(again);
        check_restored(*b);
      }
    }
  });
}

TEST_CASE("TTL stamps keep their expiry across backends") {
  constexpr std::int64_t ttl_ms = 100;
  const ttl_config ttl{ttl_ms};
  in_both_directions([&](state_backend_kind from, state_backend_kind to) {
    temp_dir dir;
    manual_ttl_clock clock(1000);
    test::backend_options options;
    options.clock = &clock;
    const key_type early = "early", late = "late";
    std::vector<keyed_state_handle> handles;
    {
      auto source = test::make_subtask_backends(from, dir, 1, options);
      auto& b = *source[0];
      b.set_key_type<key_type>();
      // Each key's first writes, then its second list element and map entry, 50 and 30 ms
      // later: early at 1000 and 1050, late at 1050 and 1080 (nothing has expired yet when the
      // heap snapshot sweeps expired entries).
      for (const auto& [key, later] : {std::pair{early, 50}, std::pair{late, 30}}) {
        b.set_current_key(key);
        b.set_current_namespace("w");
        b.get_state(value_d(ttl)).update(1);
        b.get_state(list_d(ttl)).add(key + "-1");
        b.get_state(map_d(ttl)).put(1, key);
        clock.advance(later);
        b.get_state(list_d(ttl)).add(key + "-2");
        b.get_state(map_d(ttl)).put(2, key);
      }
      handles = test::snapshot_all(source, 1, dir);
    }
    auto targets = test::make_subtask_backends(to, dir, 2, options);
    const auto at = [&](std::int64_t now, const key_type& key, std::optional<std::int64_t> value,
                        std::vector<std::string> list, std::size_t map_entries) {
      clock.set(now);
      CAPTURE(now);
      CAPTURE(key);
      for (auto& b : targets) {
        if (!b->key_groups().contains(key_group_of(key, b->max_parallelism())))
          continue;
        b->set_current_key(key);
        b->set_current_namespace("w");
        CHECK(b->get_state(value_d(ttl)).value() == value);
        CHECK(b->get_state(list_d(ttl)).get() == list);
        CHECK(b->get_state(map_d(ttl)).entries().size() == map_entries);
      }
    };
    for (auto& b : targets) {
      b->restore(handles);
      b->set_key_type<key_type>();
    }
    at(1099, early, 1, {"early-1", "early-2"}, 2);
    at(1100, early, std::nullopt, {"early-2"}, 1);
    at(1149, late, 1, {"late-1", "late-2"}, 2);
    at(1150, early, std::nullopt, {}, 0);
    at(1150, late, std::nullopt, {"late-2"}, 1);
    at(1180, late, std::nullopt, {}, 0);
  });
}

TEST_CASE("participants and states not registered after a cross-backend restore are kept") {
  in_both_directions([&](state_backend_kind from, state_backend_kind to) {
    temp_dir dir;
    std::map<key_type, std::int64_t> expected;
    for (int k = 0; k < key_count; ++k)
      expected[key_of(k)] = k * 3 + 1;
    std::vector<std::unique_ptr<numbers>> parts;
    const auto handles = filled_snapshot(from, dir, 3, [&](keyed_state_backend& b) {
      parts.push_back(std::make_unique<numbers>(b.max_parallelism()));
      b.register_participant("_numbers", *parts.back(),
                             value_state_sections<key_type, std::int64_t>::signature());
      for (auto& [key, n] : expected)
        if (b.key_groups().contains(key_group_of(key, b.max_parallelism())))
          parts.back()->by_key[key] = n;
    });
    // The first restore registers nothing: the next snapshot must keep it all.
    std::vector<keyed_state_handle> kept;
    {
      auto idle = test::make_subtask_backends(to, dir, 2);
      for (auto& b : idle) {
        b->restore(handles);
        b->set_key_type<key_type>();
      }
      kept = test::snapshot_all(idle, 2, dir);
    }
    auto targets = test::make_subtask_backends(to, dir, 3);
    std::map<key_type, std::int64_t> restored;
    for (auto& b : targets) {
      b->restore(kept);
      check_restored(*b);
      // The participant's sections restore into a value state of the same name.
      auto& number = b->get_state(value_state_descriptor<std::int64_t>("_numbers"));
      for (auto& [key, n] : expected) {
        if (!b->key_groups().contains(key_group_of(key, b->max_parallelism())))
          continue;
        b->set_current_key(key);
        b->set_current_namespace("");
        if (auto v = number.value())
          restored[key] = *v;
      }
    }
    CHECK(restored == expected);
  });
}

TEST_CASE("a cross-backend restore needs the key type") {
  in_both_directions([&](state_backend_kind from, state_backend_kind to) {
    temp_dir dir;
    const auto handles = filled_snapshot(from, dir, 1);
    auto target = test::make_subtask_backends(to, dir, 1);
    target[0]->restore(handles);
    test::check_state_error([&] { target[0]->get_state(value_d()); },
                            {"counter (1/1)", "'v'", "other state backend", "key type"});
  });
}
