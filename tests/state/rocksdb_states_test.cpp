// Every kind of RocksDB state against a std::map model, under random operations over many keys
// and two namespaces.

#include "rocksdb_test_support.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

using namespace sluice;
using rocksdb_test::temp_dir;

namespace {

using scope = std::pair<std::int64_t, std::string>; // key, namespace

/// Makes a random (key, namespace) current in `b` and returns it.
scope pick(keyed_state_backend& b, std::mt19937_64& rnd) {
  scope s{static_cast<std::int64_t>(rnd() % 300), rnd() % 2 ? "" : "window-1"};
  b.set_current_key(s.first);
  b.set_current_namespace(s.second);
  return s;
}

} // namespace

TEST_CASE("rocksdb value state agrees with a std::map") {
  temp_dir dir;
  auto b = rocksdb_test::backend(rocksdb_test::config(dir));
  auto& state = b->get_state(value_state_descriptor<std::string>("v", std::string("none")));
  auto& no_default = b->get_state(value_state_descriptor<std::int32_t>("n"));
  std::map<scope, std::string> model;
  std::mt19937_64 rnd(1);
  for (int step = 0; step < 20000; ++step) {
    auto s = pick(*b, rnd);
    switch (rnd() % 3) {
    case 0:
      state.update("value " + std::to_string(step));
      model[s] = "value " + std::to_string(step);
      break;
    case 1:
      state.clear();
      model.erase(s);
      break;
    default:
      auto it = model.find(s);
      REQUIRE(state.value() == (it == model.end() ? "none" : it->second));
    }
  }
  CHECK(b->entry_count("v") == model.size());
  CHECK(no_default.value() == std::nullopt);
}

TEST_CASE("rocksdb list state agrees with a std::map of vectors") {
  temp_dir dir;
  auto b = rocksdb_test::backend(rocksdb_test::config(dir));
  auto& state = b->get_state(list_state_descriptor<std::int64_t>("l"));
  std::map<scope, std::vector<std::int64_t>> model;
  std::mt19937_64 rnd(2);
  for (int step = 0; step < 20000; ++step) {
    auto s = pick(*b, rnd);
    auto& expected = model[s];
    switch (rnd() % 5) {
    case 0:
      state.add(step);
      expected.push_back(step);
      break;
    case 1: {
      std::vector<std::int64_t> more{step, -step, step * 3};
      state.add_all(more);
      expected.insert(expected.end(), more.begin(), more.end());
      break;
    }
    case 2: {
      std::vector<std::int64_t> replaced(rnd() % 3, step);
      state.update(replaced);
      expected = replaced;
      break;
    }
    case 3:
      state.clear();
      expected.clear();
      break;
    default:
      REQUIRE(state.get() == expected);
    }
  }
  std::size_t elements = 0;
  for (auto& [s, values] : model)
    elements += values.size();
  CHECK(b->entry_count("l") == elements);
}

TEST_CASE("rocksdb map state agrees with a std::map and orders entries by key bytes") {
  temp_dir dir;
  auto b = rocksdb_test::backend(rocksdb_test::config(dir));
  auto& state = b->get_state(map_state_descriptor<std::int32_t, std::string>("m"));
  std::map<scope, std::map<std::int32_t, std::string>> model;
  std::mt19937_64 rnd(3);
  for (int step = 0; step < 20000; ++step) {
    auto s = pick(*b, rnd);
    auto& expected = model[s];
    // Negative keys: their little-endian bytes sort unlike their values.
    auto uk = static_cast<std::int32_t>(rnd() % 20) - 10;
    switch (rnd() % 6) {
    case 0:
      state.put(uk, std::to_string(step));
      expected[uk] = std::to_string(step);
      break;
    case 1:
      state.remove(uk);
      expected.erase(uk);
      break;
    case 2:
      REQUIRE(state.contains(uk) == (expected.count(uk) == 1));
      REQUIRE(state.get(uk) == (expected.count(uk) ? std::optional(expected[uk]) : std::nullopt));
      break;
    case 3:
      REQUIRE(state.is_empty() == expected.empty());
      break;
    case 4:
      if (rnd() % 4 == 0) {
        state.clear();
        expected.clear();
      }
      break;
    default: {
      std::map<std::string, std::pair<std::int32_t, std::string>> by_bytes;
      for (auto& [k, v] : expected) {
        auto bytes = to_bytes(k);
        by_bytes[std::string(bytes.begin(), bytes.end())] = {k, v};
      }
      std::vector<std::pair<std::int32_t, std::string>> ordered;
      for (auto& [bytes, entry] : by_bytes)
        ordered.push_back(entry);
      REQUIRE(state.entries() == ordered);
    }
    }
  }
  std::size_t entries = 0;
  for (auto& [s, m] : model)
    entries += m.size();
  CHECK(b->entry_count("m") == entries);
}

TEST_CASE("rocksdb reducing and aggregating state agree with a std::map") {
  temp_dir dir;
  auto b = rocksdb_test::backend(rocksdb_test::config(dir));
  auto& sum = b->get_state(reducing_state_descriptor<std::int64_t>(
      "sum", [](const std::int64_t& x, const std::int64_t& y) { return x + y; }));
  using acc = std::pair<std::int64_t, std::int64_t>; // total, count
  auto& average = b->get_state(aggregating_state_descriptor<std::int64_t, acc, double>(
      "avg", {[] {
                return acc{0, 0};
              },
              [](acc&& a, const std::int64_t& v) {
                return acc{a.first + v, a.second + 1};
              },
              [](const acc& a) { return static_cast<double>(a.first) / a.second; }}));
  std::map<scope, std::vector<std::int64_t>> added;
  std::mt19937_64 rnd(4);
  for (int step = 0; step < 20000; ++step) {
    auto s = pick(*b, rnd);
    auto& values = added[s];
    switch (rnd() % 4) {
    case 0:
    case 1:
      sum.add(step);
      average.add(step);
      values.push_back(step);
      break;
    case 2:
      sum.clear();
      average.clear();
      values.clear();
      break;
    default:
      std::int64_t total = 0;
      for (auto v : values)
        total += v;
      REQUIRE(sum.get() == (values.empty() ? std::nullopt : std::optional(total)));
      REQUIRE(average.get() == (values.empty()
                                    ? std::nullopt
                                    : std::optional(static_cast<double>(total) / values.size())));
    }
  }
}

TEST_CASE("rocksdb states need a current key") {
  temp_dir dir;
  auto b = rocksdb_test::backend(rocksdb_test::config(dir));
  auto& state = b->get_state(value_state_descriptor<std::int32_t>("v"));
  CHECK_THROWS_WITH_AS(state.value(),
                       "operator 'count (1/1)': state 'v' is used without a current key",
                       state_error);
}
