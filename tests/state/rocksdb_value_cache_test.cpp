// The write-back cache in front of RocksDB value, reducing, aggregating and list states: every
// change it holds reaches snapshots and counts, whether or not its entry was evicted, and a
// restore into a backend without a cache reads exactly the values written; a full cache writes
// only the entry it evicts, and evicts a key not used since the clock's hand last passed it;
// while a rescale's hand-off is prepared, an access writes back one changed entry once 64 are
// changed.

#include "keyed_state_fixture.hpp"
#include "rocksdb_test_support.hpp"
#include "sluice/state/rocksdb/rocksdb_instance.hpp"
#include "sluice/state/rocksdb/rocksdb_value_cache.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

using namespace sluice;
using rocksdb_test::temp_dir;

namespace {

constexpr std::int64_t key_count = 200;

value_state_descriptor<std::string> names() { return value_state_descriptor<std::string>("name"); }
list_state_descriptor<std::int64_t> histories() {
  return list_state_descriptor<std::int64_t>("history");
}
reducing_state_descriptor<std::int64_t> sums() {
  return reducing_state_descriptor<std::int64_t>(
      "sum", [](const std::int64_t& a, const std::int64_t& b) { return a + b; });
}
aggregating_state_descriptor<std::int64_t, std::vector<std::int64_t>, std::int64_t> maxima() {
  return {"max",
          {[] { return std::vector<std::int64_t>{}; },
           [](std::vector<std::int64_t>&& acc, const std::int64_t& v) {
             acc.push_back(v);
             return std::move(acc);
           },
           [](const std::vector<std::int64_t>& acc) {
             std::int64_t m = acc.front();
             for (auto v : acc)
               m = v > m ? v : m;
             return m;
           }}};
}

/// What the states should hold, computed beside them.
struct expected {
  std::map<std::int64_t, std::string> names;
  std::map<std::int64_t, std::int64_t> sums, maxima;
  std::map<std::int64_t, std::vector<std::int64_t>> histories;
};

/// Writes into the four states of `b` (names updated and cleared, sums and maxima added to,
/// histories appended to, read and replaced),
/// over every key many times in an order that revisits keys after others; returns what they hold.
expected write(keyed_state_backend& b) {
  auto& name = b.get_state(names());
  auto& sum = b.get_state(sums());
  auto& max = b.get_state(maxima());
  auto& history = b.get_state(histories());
  expected e;
  for (std::int64_t step = 0; step < 3000; ++step) {
    const std::int64_t k = (step * 37) % key_count;
    b.set_current_key(k);
    const std::int64_t v = (step * 7919) % 1000;
    if (step % 11 == 0) {
      name.clear();
      e.names.erase(k);
    } else {
      name.update("n" + std::to_string(step));
      e.names[k] = "n" + std::to_string(step);
    }
    sum.add(v);
    e.sums[k] += v;
    max.add(v);
    e.maxima[k] = e.maxima.count(k) ? std::max(e.maxima[k], v) : v;
    auto& h = e.histories[k];
    if (step % 13 == 0) {
      history.update({v});
      h = {v};
    } else if (step % 5 == 0) {
      REQUIRE(history.get() == h);
      history.add_all({v, v + 1});
      h.insert(h.end(), {v, v + 1});
    } else {
      history.add(v);
      h.push_back(v);
    }
  }
  return e;
}

void check(keyed_state_backend& b, const expected& e) {
  auto& name = b.get_state(names());
  auto& sum = b.get_state(sums());
  auto& max = b.get_state(maxima());
  auto& history = b.get_state(histories());
  for (std::int64_t k = 0; k < key_count; ++k) {
    CAPTURE(k);
    b.set_current_key(k);
    const auto n = e.names.find(k);
    CHECK(name.value() == (n == e.names.end() ? std::nullopt : std::optional(n->second)));
    CHECK(sum.get() == e.sums.at(k));
    CHECK(max.get() == e.maxima.at(k));
    CHECK(history.get() == e.histories.at(k));
  }
}

/// The bytes RocksDB holds for the value `v`.
std::string bytes_of(std::int64_t v) {
  std::vector<char> out;
  byte_writer w(out);
  serialize(w, v);
  w.finish();
  return std::string(out.begin(), out.end());
}

/// The directory `dir`/db, created.
std::string created_db_dir(const temp_dir& dir) {
  const auto path = dir / "db";
  std::filesystem::create_directories(path);
  return path;
}

/// A RocksDB instance with a column family of int64 values behind a cache of `capacity` entries.
struct cached_db {
  explicit cached_db(std::size_t capacity)
      : db("cache test", created_db_dir(dir), make_rocksdb_shared_resources(16),
           system_ttl_clock::instance()),
        cf(db.column_family("values", "int64", {})), cache(db, cf, capacity) {}

  /// Whether RocksDB holds `v` at `key`.
  bool holds(const std::string& key, std::int64_t v) {
    std::string value;
    return db.get(cf, key, value) && value == bytes_of(v);
  }
  /// The keys of `given` RocksDB holds, each checked to hold the value given for it.
  std::set<std::string> stored(const std::map<std::string, std::int64_t>& given) {
    std::set<std::string> keys;
    std::string value;
    for (const auto& [key, v] : given)
      if (db.get(cf, key, value)) {
        CHECK(value == bytes_of(v));
        keys.insert(key);
      }
    return keys;
  }

  temp_dir dir;
  rocksdb_instance db;
  int cf;
  detail::rocksdb_value_cache<std::int64_t> cache;
};

} // namespace

TEST_CASE("the keyed state suite's default cache is the backend's") {
  CHECK(test::default_cache_entries == state_backend_config{}.cache_entries);
}

TEST_CASE("a cache's changes reach counts and snapshots, evicted or not") {
  for (std::size_t entries : {std::size_t{4}, std::size_t{64}, std::size_t{100000}}) {
    CAPTURE(entries);
    temp_dir dir;
    auto c = rocksdb_test::config(dir);
    c.cache_entries = entries;
    auto b = rocksdb_test::backend(c);
    const auto e = write(*b);
    CHECK(b->entry_count("name") == e.names.size());
    CHECK(b->entry_count("sum") == static_cast<std::size_t>(key_count));
    check(*b, e);
    const auto handle = b->snapshot(1, dir / "snapshots");

    c.cache_entries = 0;
    auto restored = rocksdb_test::backend(c);
    restored->restore({handle});
    check(*restored, e);
    CHECK(restored->entry_count("name") == e.names.size());
  }
}

TEST_CASE("a value cleared in the cache is absent from the snapshot") {
  temp_dir dir;
  auto c = rocksdb_test::config(dir);
  auto first = rocksdb_test::backend(c);
  auto& name = first->get_state(names());
  for (std::int64_t k = 0; k < key_count; ++k) {
    first->set_current_key(k);
    name.update("kept");
  }
  const auto before = first->snapshot(1, dir / "snapshots");
  for (std::int64_t k = 0; k < key_count; k += 2) {
    first->set_current_key(k);
    name.clear();
  }
  const auto after = first->snapshot(2, dir / "snapshots");

  c.cache_entries = 0;
  for (const auto& [handle, cleared] : {std::pair{before, false}, std::pair{after, true}}) {
    CAPTURE(cleared);
    auto restored = rocksdb_test::backend(c);
    restored->restore({handle});
    auto& restored_name = restored->get_state(names());
    CHECK(restored->entry_count("name") ==
          static_cast<std::size_t>(cleared ? key_count / 2 : key_count));
    for (std::int64_t k = 0; k < key_count; ++k) {
      restored->set_current_key(k);
      CHECK(restored_name.value() ==
            (cleared && k % 2 == 0 ? std::nullopt : std::optional<std::string>("kept")));
    }
  }
}

TEST_CASE("a full cache writes only the entry it evicts, one not used since the hand passed") {
  cached_db c(4);
  auto& cache = c.cache;
  std::map<std::string, std::int64_t> given{{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}};
  for (const auto& [key, v] : given)
    cache.assign(key, v);
  CHECK(c.stored(given).empty());

  given["e"] = 5; // a fifth key: one of the four goes, written; the other three stay unwritten
  cache.assign("e", 5);
  CHECK(cache.size() == 4);
  const auto first = c.stored(given);
  REQUIRE(first.size() == 1);
  const auto evicted = *first.begin();
  CHECK(cache.find(evicted) == nullptr);

  std::vector<std::string> kept; // the three survivors: the hand cleared their marks in passing
  for (const auto& key : {"a", "b", "c", "d"})
    if (key != evicted)
      kept.emplace_back(key);
  REQUIRE(cache.find(kept[0]) != nullptr); // used again, like "e", which was just cached
  REQUIRE(cache.find(kept[1]) != nullptr);
  given["f"] = 6; // only kept[2] was not used since: it goes
  cache.assign("f", 6);
  CHECK(c.stored(given) == std::set<std::string>{evicted, kept[2]});
  for (const auto& key : {kept[0], kept[1], std::string("e"), std::string("f")}) {
    CAPTURE(key);
    auto* e = cache.find(key);
    REQUIRE(e != nullptr);
    CHECK(e->value == given.at(key));
  }
}

TEST_CASE("while a rescale's hand-off is prepared, an access writes back a changed entry once "
          "enough are changed") {
  const std::size_t limit = detail::rocksdb_value_cache<std::int64_t>::dirty_while_handing_off;
  const std::size_t n = limit + 20;
  cached_db c(2 * n);
  auto& cache = c.cache;
  // Changes every key k<i> to base + i.
  const auto change_all = [&](std::int64_t base) {
    for (std::size_t i = 0; i < n; ++i)
      cache.assign("k" + std::to_string(i), base + static_cast<std::int64_t>(i));
  };
  // How many keys RocksDB holds at base + i.
  const auto holding = [&](std::int64_t base) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < n; ++i)
      count += c.holds("k" + std::to_string(i), base + static_cast<std::int64_t>(i)) ? 1 : 0;
    return count;
  };
  change_all(0);
  CHECK(holding(0) == 0); // without moves, changes stay in the cache

  temp_dir moves;
  std::vector<key_group_range> ranges;
  SUBCASE("key groups move away") { ranges = {{0, 0}}; }
  SUBCASE("nothing moves away: the rescale only replaces the subtask") {}
  c.db.prepare_moves(ranges, moves / "moves").wait(); // writes every change back first
  CHECK(holding(0) == n);
  change_all(1000);
  // The first `limit` changes stay in the cache; each later one wrote one back first.
  CHECK(holding(1000) == n - limit);
  CHECK(holding(0) == limit);

  c.db.cancel_moves(); // no moves: changes stay in the cache again
  change_all(2000);
  CHECK(holding(2000) == 0);
  cache.write_back();
  CHECK(holding(2000) == n);
}
