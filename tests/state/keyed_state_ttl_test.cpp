// State time-to-live on every backend in SLUICE_KEYED_BACKENDS, on a manual clock: expired
// entries are never returned, reads refresh only with on_read_and_write, and expired entries
// leave entry_count, remove_expired and snapshots.

#include "keyed_state_fixture.hpp"

#include <cstdint>
#include <string>
#include <vector>

using namespace sluice;
using sluice::test::temp_dir;

namespace {

constexpr std::int64_t ttl_ms = 100;

ttl_config ttl(ttl_config::update_type update = ttl_config::update_type::on_create_and_write) {
  return ttl_config{ttl_ms, update};
}

test::backend_options on_clock(const manual_ttl_clock& clock) {
  test::backend_options options;
  options.clock = &clock;
  return options;
}

} // namespace

TEST_CASE_TEMPLATE("TTL on_create_and_write: writes refresh, reads don't", B,
                   SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  manual_ttl_clock clock(1000);
  auto backend = test::make_backend<B>(dir, on_clock(clock));
  auto& value = backend->get_state(value_state_descriptor<std::int32_t>("v", std::nullopt, ttl()));
  backend->set_current_key(std::int64_t{1});
  value.update(1);
  clock.advance(60);
  CHECK(value.value() == 1);
  clock.advance(39);
  CHECK(value.value() == 1);
  clock.advance(1);
  CHECK(value.value() == std::nullopt);
  value.update(2);
  clock.advance(99);
  CHECK(value.value() == 2);
  CHECK(backend->entry_count("v") == 1);
  clock.advance(1);
  CHECK(backend->entry_count("v") == 0);
  CHECK(value.value() == std::nullopt);
}

TEST_CASE_TEMPLATE("TTL on_read_and_write: reads refresh too", B, SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  manual_ttl_clock clock;
  auto backend = test::make_backend<B>(dir, on_clock(clock));
  const auto update = ttl_config::update_type::on_read_and_write;
  auto& value =
      backend->get_state(value_state_descriptor<std::int32_t>("v", std::nullopt, ttl(update)));
  auto& map =
      backend->get_state(map_state_descriptor<std::int32_t, std::int32_t>("m", ttl(update)));
  backend->set_current_key(std::int64_t{1});
  value.update(1);
  map.put(1, 10);
  map.put(2, 20);
  for (int i = 0; i < 5; ++i) {
    clock.advance(90);
    CHECK(value.value() == 1);
    CHECK(map.get(1) == 10);
  }
  clock.advance(10);
  CHECK(map.get(2) == std::nullopt);
  CHECK(map.keys() == std::vector<std::int32_t>{1});
  clock.advance(ttl_ms);
  CHECK(value.value() == std::nullopt);
  CHECK(map.is_empty());
}

TEST_CASE_TEMPLATE("TTL per map entry, per list, per accumulator", B, SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  manual_ttl_clock clock;
  auto backend = test::make_backend<B>(dir, on_clock(clock));
  auto& map = backend->get_state(map_state_descriptor<std::string, std::int32_t>("m", ttl()));
  auto& list = backend->get_state(list_state_descriptor<std::int32_t>("l", ttl()));
  auto& sum = backend->get_state(reducing_state_descriptor<std::int32_t>(
      "s", [](const std::int32_t& a, const std::int32_t& b) { return a + b; }, ttl()));
  backend->set_current_key(std::int64_t{1});
  map.put("early", 1);
  list.add(1);
  sum.add(1);
  clock.advance(50);
  map.put("late", 2);
  list.add(2);
  sum.add(2);
  clock.advance(60);
  CHECK_FALSE(map.contains("early"));
  CHECK(map.entries() == std::vector<std::pair<std::string, std::int32_t>>{{"late", 2}});
  CHECK(list.get() == std::vector<std::int32_t>{1, 2});
  CHECK(sum.get() == 3);
  clock.advance(40);
  CHECK(map.is_empty());
  CHECK(list.get().empty());
  CHECK(sum.get() == std::nullopt);
  sum.add(5);
  CHECK(sum.get() == 5);
}

TEST_CASE_TEMPLATE("expired entries leave entry_count, remove_expired and snapshots", B,
                   SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  manual_ttl_clock clock;
  auto backend = test::make_backend<B>(dir, on_clock(clock));
  const value_state_descriptor<std::int64_t> d("v", std::nullopt, ttl());
  auto& value = backend->get_state(d);
  constexpr std::int64_t keys = 500;
  for (std::int64_t k = 0; k < keys; ++k) {
    if (k == keys / 2)
      clock.advance(50);
    backend->set_current_key(k);
    value.update(k);
  }
  CHECK(backend->entry_count("v") == std::size_t(keys));
  clock.advance(60);
  CHECK(backend->entry_count("v") == std::size_t(keys / 2));
  backend->remove_expired();
  CHECK(backend->entry_count("v") == std::size_t(keys / 2));
  auto handle = backend->snapshot(1, (dir.path() / "snapshots").string());
  CHECK(backend->entry_count("v") == std::size_t(keys / 2));

  auto restored = test::make_backend<B>(dir, on_clock(clock));
  restored->restore({handle});
  auto& restored_value = restored->get_state(d);
  CHECK(restored->entry_count("v") == std::size_t(keys / 2));
  for (std::int64_t k = 0; k < keys; ++k) {
    restored->set_current_key(k);
    CHECK(restored_value.value() == (k < keys / 2 ? std::nullopt : std::optional(k)));
  }
  clock.advance(40);
  CHECK(restored->entry_count("v") == 0);
}
