// The heap backend's incremental TTL cleanup: accesses alone (no remove_expired, no snapshot)
// reclaim the entries of keys that never come back, within a number of accesses bounded by the
// cleanup step.

#include "keyed_state_fixture.hpp"

#include <cstddef>
#include <cstdint>

using namespace sluice;
using sluice::test::temp_dir;

namespace {

constexpr std::int64_t ttl_ms = 100;

/// Accesses that surely bring the cleanup cursor once around a state of at most `entries`
/// entries over `groups` key groups. One lap takes a step per entry met (erased if expired,
/// passed if live), per free slot passed and per key group left; an access ends after
/// incremental_cleanup::slots steps, or once it has met incremental_cleanup::entries entries.
std::size_t accesses_for_one_lap(std::size_t entries, std::size_t groups) {
  using cleanup = detail::incremental_cleanup;
  // A group's map has min_capacity slots, or at most 4 per entry once it grew (load <= 1/2).
  const auto slots = groups * flat_hash_map<int, int>::min_capacity + 4 * entries;
  const auto other_steps = slots + groups;
  // An access that ends by its step limit met at most cleanup::entries - 1 entries.
  const auto other_per_access = std::size_t(cleanup::slots - (cleanup::entries - 1));
  const auto ceil_div = [](std::size_t a, std::size_t b) { return (a + b - 1) / b; };
  // +1: the lap may start and end inside an access.
  return ceil_div(entries, cleanup::entries) + ceil_div(other_steps, other_per_access) + 1;
}

} // namespace

TEST_CASE("heap: accesses to one live key reclaim every expired entry incrementally") {
  temp_dir dir;
  manual_ttl_clock clock;
  test::backend_options options;
  options.clock = &clock;
  auto backend = test::make_backend<test::heap_backend>(dir, options);
  auto& heap = static_cast<heap_keyed_state_backend&>(*backend);
  auto& value =
      backend->get_state(value_state_descriptor<std::int64_t>("v", std::nullopt, {ttl_ms}));
  constexpr std::int64_t keys = 1000;
  for (std::int64_t k = 0; k < keys; ++k) {
    backend->set_current_key(k);
    value.update(k);
  }
  REQUIRE(heap.stored_entries("v") == std::size_t(keys));
  clock.advance(ttl_ms);
  backend->set_current_key(keys);
  value.update(keys);
  REQUIRE(backend->entry_count("v") == 1);

  const auto bound =
      accesses_for_one_lap(std::size_t(keys) + 1, std::size_t(backend->key_groups().size()));
  std::size_t accesses = 0;
  while (heap.stored_entries("v") > 1 && accesses < bound) {
    CHECK(value.value() == keys);
    ++accesses;
  }
  CAPTURE(bound);
  CAPTURE(accesses);
  CHECK(heap.stored_entries("v") == 1);
  CHECK(accesses > 0);
  CHECK(value.value() == keys);
}
