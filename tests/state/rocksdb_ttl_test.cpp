// State TTL on RocksDB: reads never return expired values, and the compaction filter removes
// them from disk. The filter's work is observed by moving the manual clock back after
// remove_expired(): an expired entry that is still stored would then look alive again.

#include "rocksdb_test_support.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace sluice;
using rocksdb_test::temp_dir;

namespace {

constexpr std::int64_t ttl_ms = 100;
constexpr std::int64_t start = 1000;

} // namespace

TEST_CASE("rocksdb TTL: expired values are never returned") {
  temp_dir dir;
  manual_ttl_clock clock(start);
  auto b = rocksdb_test::backend(rocksdb_test::config(dir, clock));
  auto& value = b->get_state(value_state_descriptor<std::int32_t>("v", -1, ttl_config{ttl_ms}));
  auto& list = b->get_state(list_state_descriptor<std::int32_t>("l", ttl_config{ttl_ms}));
  auto& map = b->get_state(map_state_descriptor<std::int32_t, std::int32_t>("m", {ttl_ms}));
  b->set_current_key(std::int64_t{7});
  value.update(1);
  list.add(1);
  map.put(1, 1);
  clock.set(start + 60);
  list.add(2);
  map.put(2, 2);
  clock.set(start + ttl_ms - 1);
  CHECK(value.value() == 1);
  CHECK(b->entry_count("l") == 2);
  clock.set(start + ttl_ms);
  CHECK(value.value() == -1);
  CHECK(list.get() == std::vector<std::int32_t>{2});
  CHECK(map.get(1) == std::nullopt);
  CHECK(map.entries() == std::vector<std::pair<std::int32_t, std::int32_t>>{{2, 2}});
  CHECK(b->entry_count("v") == 0);
  CHECK(b->entry_count("l") == 1);
  CHECK(b->entry_count("m") == 1);
  clock.set(start + 60 + ttl_ms);
  CHECK(list.get().empty());
  CHECK(map.is_empty());
  // Reads deleted what expired: it stays gone even if the clock goes back.
  clock.set(start);
  CHECK(value.value() == -1);
  CHECK(list.get().empty());
  CHECK(map.is_empty());
}

TEST_CASE("rocksdb TTL: on_read_and_write refreshes on reads") {
  temp_dir dir;
  manual_ttl_clock clock(start);
  auto b = rocksdb_test::backend(rocksdb_test::config(dir, clock));
  const ttl_config ttl{ttl_ms, ttl_config::update_type::on_read_and_write};
  auto& value = b->get_state(value_state_descriptor<std::int32_t>("v", std::nullopt, ttl));
  auto& list = b->get_state(list_state_descriptor<std::int32_t>("l", ttl));
  auto& map = b->get_state(map_state_descriptor<std::int32_t, std::int32_t>("m", ttl));
  b->set_current_key(std::int64_t{7});
  value.update(1);
  list.add(1);
  map.put(1, 1);
  clock.set(start + 90);
  CHECK(value.value() == 1);
  CHECK(list.get() == std::vector<std::int32_t>{1});
  CHECK(map.entries().size() == 1);
  clock.set(start + 90 + ttl_ms - 1);
  CHECK(value.value() == 1);
  CHECK(list.get() == std::vector<std::int32_t>{1});
  CHECK(map.get(1) == 1);
}

TEST_CASE("rocksdb TTL: remove_expired compacts expired entries and list elements away") {
  temp_dir dir;
  manual_ttl_clock clock(start);
  auto b = rocksdb_test::backend(rocksdb_test::config(dir, clock));
  auto& value = b->get_state(value_state_descriptor<std::int64_t>("v", std::nullopt, {ttl_ms}));
  auto& list = b->get_state(list_state_descriptor<std::int64_t>("l", ttl_config{ttl_ms}));
  auto& map = b->get_state(map_state_descriptor<std::int32_t, std::int64_t>("m", {ttl_ms}));
  constexpr std::int64_t keys = 500;
  // Even keys are written at `start`, odd ones later; every list gets one element at each time.
  for (std::int64_t at : {start, start + 50}) {
    clock.set(at);
    for (std::int64_t k = 0; k < keys; ++k) {
      b->set_current_key(k);
      list.add(at);
      if ((k % 2 == 1) == (at != start)) {
        value.update(k);
        map.put(0, k);
      }
    }
    // A snapshot flushes the memtables, so the filter sees stored values and merge operands.
    b->snapshot(at, dir / "checkpoints");
  }
  clock.set(start + ttl_ms);
  CHECK(b->entry_count("v") == keys / 2);
  CHECK(b->entry_count("l") == keys);
  b->remove_expired();
  clock.set(start);
  CHECK(b->entry_count("v") == keys / 2);
  CHECK(b->entry_count("l") == keys);
  CHECK(b->entry_count("m") == keys / 2);
  for (std::int64_t k = 0; k < keys; ++k) {
    b->set_current_key(k);
    REQUIRE(value.value() == (k % 2 ? std::optional(k) : std::nullopt));
    REQUIRE(list.get() == std::vector<std::int64_t>{start + 50});
  }
  clock.set(start + 50 + ttl_ms);
  b->remove_expired();
  clock.set(start);
  CHECK(b->entry_count("v") == 0);
  CHECK(b->entry_count("l") == 0);
  CHECK(b->entry_count("m") == 0);
}
