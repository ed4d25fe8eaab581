#include "sluice/state/flat_hash_map.hpp"
#include "sluice/state/heap/heap_state_key.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>

using sluice::flat_hash_map;
using sluice::detail::compact_state_key;
using sluice::detail::heap_state_key;
using sluice::detail::heap_state_key_hash;
using sluice::detail::state_key_view;

namespace {

/// Random bytes of a random length up to `max_size`, from a small alphabet so that keys repeat.
std::string random_bytes(std::mt19937_64& rnd, std::size_t max_size) {
  std::string s(rnd() % (max_size + 1), '\0');
  for (auto& c : s)
    c = static_cast<char>(rnd() % 3);
  return s;
}

/// Key lengths the random test draws: around heap_state_key's inline capacity (0 to 40 bytes),
/// and all that compact_state_key holds (0 to 8).
template <class Key> constexpr std::size_t max_test_key_size = 40;
template <> constexpr std::size_t max_test_key_size<compact_state_key> = compact_state_key::capacity;

} // namespace

TEST_CASE("heap_state_key keeps the bytes of short (inline) and long keys") {
  for (std::size_t n : {0, 1, 8, 23, 24, 25, 40, 1000}) {
    const std::string bytes(n, 'x');
    const heap_state_key key{state_key_view(bytes)};
    CHECK(key.bytes() == bytes);
    CHECK(key == state_key_view(bytes));
    heap_state_key copy = key;
    heap_state_key moved = std::move(copy);
    CHECK(moved.bytes() == bytes);
    CHECK(moved == key);
    heap_state_key assigned{state_key_view("other")};
    assigned = moved;
    CHECK(assigned.bytes() == bytes);
    assigned = heap_state_key{state_key_view(std::string(30, 'y'))};
    CHECK(assigned.bytes() == std::string(30, 'y'));
  }
}

TEST_CASE("heap_state_key compares bytes when hashes agree") {
  // Equal hashes and sizes, different bytes: the keys still differ.
  const std::string a(24, 'a'), b(24, 'b'), long_a(30, 'a'), long_b(30, 'b');
  CHECK_FALSE(heap_state_key(state_key_view(a, 7)) == state_key_view(b, 7));
  CHECK_FALSE(heap_state_key(state_key_view(long_a, 7)) == state_key_view(long_b, 7));
  CHECK_FALSE(heap_state_key(state_key_view(long_a, 7)) == state_key_view(long_a + "a", 7));
  CHECK(heap_state_key(state_key_view(long_a, 7)) == state_key_view(long_a, 7));
}

TEST_CASE_TEMPLATE("flat_hash_map of heap state keys agrees with std::map under random operations",
                   Key, heap_state_key, compact_state_key) {
  flat_hash_map<Key, int, heap_state_key_hash> table;
  std::map<std::string, int> reference;
  std::mt19937_64 rnd(7);
  for (int step = 0; step < 100000; ++step) {
    const std::string bytes = random_bytes(rnd, max_test_key_size<Key>);
    // A weak hash (few distinct values) makes probes meet keys of equal hash.
    const state_key_view key(
        bytes, bytes.size() % 4 == 0 ? 42 : sluice::hash_bytes(bytes.data(), bytes.size()));
    switch (rnd() % 3) {
    case 0: {
      auto [v, inserted] = table.try_emplace(key, step);
      auto [it, ref_inserted] = reference.try_emplace(bytes, step);
      REQUIRE(inserted == ref_inserted);
      REQUIRE(*v == it->second);
      break;
    }
    case 1:
      REQUIRE(table.erase(key) == (reference.erase(bytes) == 1));
      break;
    default: {
      auto* v = table.find(key);
      auto it = reference.find(bytes);
      REQUIRE((v != nullptr) == (it != reference.end()));
      if (v)
        REQUIRE(*v == it->second);
    }
    }
    REQUIRE(table.size() == reference.size());
  }
  std::map<std::string, int> listed;
  table.for_each([&](const Key& k, int v) { listed.emplace(k.bytes(), v); });
  CHECK(listed == reference);
}
