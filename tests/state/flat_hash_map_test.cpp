#include "sluice/state/flat_hash_map.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>

using sluice::flat_hash_map;

TEST_CASE("flat_hash_map agrees with std::map under random inserts, updates and erases") {
  flat_hash_map<std::int64_t, std::string> table;
  std::map<std::int64_t, std::string> reference;
  std::mt19937_64 rnd(42);
  for (int step = 0; step < 200000; ++step) {
    auto key = static_cast<std::int64_t>(rnd() % 5000) - 2500;
    switch (rnd() % 3) {
      case 0: {
        auto [v, inserted] = table.try_emplace(key, std::to_string(step));
        auto [it, ref_inserted] = reference.try_emplace(key, std::to_string(step));
        REQUIRE(inserted == ref_inserted);
        REQUIRE(*v == it->second);
        break;
      }
      case 1:
        REQUIRE(table.erase(key) == (reference.erase(key) == 1));
        break;
      default: {
        auto* v = table.find(key);
        auto it = reference.find(key);
        REQUIRE((v != nullptr) == (it != reference.end()));
        if (v)
          REQUIRE(*v == it->second);
      }
    }
    REQUIRE(table.size() == reference.size());
  }
  std::map<std::int64_t, std::string> listed;
  table.for_each([&](std::int64_t k, const std::string& v) { listed.emplace(k, v); });
  CHECK(listed == reference);
}

TEST_CASE("flat_hash_map keeps keys of one key group (equal low hash bits) findable") {
  // Keys whose key_hash agree modulo 128 cluster in a table indexed by low bits.
  flat_hash_map<std::int64_t, std::int64_t> table;
  std::int64_t inserted = 0;
  for (std::int64_t k = 0; inserted < 20000; ++k) {
    if (sluice::key_hash(k) % 128 != 5)
      continue;
    table.try_emplace(k, k * 2);
    ++inserted;
  }
  CHECK(table.size() == 20000);
  std::int64_t found = 0;
  table.for_each([&](std::int64_t k, std::int64_t v) {
    CHECK(v == 2 * k);
    CHECK(table.find(k) != nullptr);
    ++found;
  });
  CHECK(found == 20000);
}
