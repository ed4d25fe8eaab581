#include "sluice/operators/time/timer_queue.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

using namespace sluice;

namespace {

using fired = std::vector<std::pair<std::string, std::int64_t>>;

template <class K> fired fire_all(timer_queue<K>& q, std::int64_t up_to) {
  fired out;
  q.fire_until(up_to, [&](const K& key, std::int64_t time) { out.emplace_back(key, time); });
  return out;
}

/// A key without std::hash: the queue falls back to comparing keys.
struct plain_key {
  int id = 0;
  bool operator==(const plain_key& o) const { return id == o.id; }
};

/// A window without std::hash, as global_window.
struct plain_window {
  int id = 0;
  bool operator==(const plain_window& o) const { return id == o.id; }
};

/// Shaped as the window operator's timer key: a hashable key and a window.
struct pair_key {
  std::string key;
  plain_window window;
  bool operator==(const pair_key& o) const { return key == o.key && window == o.window; }
};

/// The former linear-scan queue, as the reference of the randomized test.
class reference_queue {
public:
  bool add(int key, std::int64_t time) {
    auto& keys = by_time_[time];
    for (int k : keys)
      if (k == key)
        return false;
    keys.push_back(key);
    return true;
  }
  bool remove(int key, std::int64_t time) {
    auto it = by_time_.find(time);
    if (it == by_time_.end())
      return false;
    for (auto k = it->second.begin(); k != it->second.end(); ++k) {
      if (*k == key) {
        it->second.erase(k);
        if (it->second.empty())
          by_time_.erase(it);
        return true;
      }
    }
    return false;
  }
  std::vector<std::pair<int, std::int64_t>> fire_until(std::int64_t up_to) {
    std::vector<std::pair<int, std::int64_t>> out;
    while (!by_time_.empty() && by_time_.begin()->first <= up_to) {
      auto it = by_time_.begin();
      out.emplace_back(it->second.front(), it->first);
      it->second.erase(it->second.begin());
      if (it->second.empty())
        by_time_.erase(it);
    }
    return out;
  }
  std::optional<std::int64_t> earliest() const {
    return by_time_.empty() ? std::nullopt : std::optional<std::int64_t>(by_time_.begin()->first);
  }

private:
  std::map<std::int64_t, std::vector<int>> by_time_;
};

} // namespace

TEST_CASE("timer_queue fires in time order, ties in registration order") {
  timer_queue<std::string> q;
  CHECK(q.empty());
  CHECK(q.earliest() == std::nullopt);
  CHECK(q.add("b", 20));
  CHECK(q.add("a", 10));
  CHECK(q.add("c", 20));
  CHECK(q.add("a", 20));
  CHECK(q.earliest() == 10);
  CHECK(fire_all(q, 9).empty());
  CHECK(fire_all(q, 20) == fired{{"a", 10}, {"b", 20}, {"c", 20}, {"a", 20}});
  CHECK(q.empty());
}

TEST_CASE("timer_queue keeps one timer per key and time") {
  timer_queue<std::string> q;
  CHECK(q.add("a", 10));
  CHECK_FALSE(q.add("a", 10));
  CHECK(q.add("a", 11));
  CHECK(q.add("b", 10));
  CHECK(fire_all(q, 100) == fired{{"a", 10}, {"b", 10}, {"a", 11}});
}

TEST_CASE("timer_queue takes a timer again once the same one was removed or fired") {
  timer_queue<std::string> q;
  CHECK(q.add("a", 10));
  CHECK(q.remove("a", 10));
  CHECK(q.add("a", 10));
  CHECK_FALSE(q.add("a", 10));
  CHECK(fire_all(q, 10) == fired{{"a", 10}});
  CHECK(q.add("a", 10));
  CHECK_FALSE(q.add("a", 10));
  CHECK(fire_all(q, 10) == fired{{"a", 10}});
}

TEST_CASE("timer_queue remove reports whether the timer existed") {
  timer_queue<std::string> q;
  q.add("a", 10);
  q.add("b", 10);
  q.add("c", 10);
  CHECK_FALSE(q.remove("a", 11));
  CHECK_FALSE(q.remove("d", 10));
  CHECK(q.remove("b", 10));
  CHECK_FALSE(q.remove("b", 10));
  CHECK(q.earliest() == 10);
  CHECK(q.remove("a", 10));
  CHECK(q.remove("c", 10));
  CHECK(q.empty());
  CHECK(q.earliest() == std::nullopt);
}

TEST_CASE("timer_queue re-adds a removed timer behind the others of its time") {
  timer_queue<std::string> q;
  q.add("a", 10);
  q.add("b", 10);
  q.add("c", 10);
  CHECK(q.remove("a", 10));
  CHECK(q.add("a", 10));
  CHECK(q.remove("b", 10));
  CHECK(fire_all(q, 10) == fired{{"c", 10}, {"a", 10}});
}

TEST_CASE("timer_queue fires timers registered while firing if they are due") {
  timer_queue<std::string> q;
  q.add("a", 10);
  q.add("b", 10);
  q.add("c", 30);
  fired out;
  q.fire_until(20, [&](const std::string& key, std::int64_t time) {
    out.emplace_back(key, time);
    if (out.size() == 1) {
      CHECK(q.add("a", 10)); // fired timers are gone: the same timer again
      CHECK(q.add("x", 15));
      CHECK(q.add("y", 25));
      CHECK(q.remove("b", 10));
    }
  });
  CHECK(out == fired{{"a", 10}, {"a", 10}, {"x", 15}});
  CHECK(q.earliest() == 25);
  CHECK(fire_all(q, 30) == fired{{"y", 25}, {"c", 30}});
}

TEST_CASE("timer_queue keeps the order of the remaining timers after many removals") {
  timer_queue<int> q;
  for (int k = 0; k < 1000; ++k)
    q.add(k, 5);
  for (int k = 0; k < 1000; ++k)
    if (k % 100 != 7)
      CHECK(q.remove(k, 5));
  CHECK(q.add(3, 5));
  std::vector<int> keys;
  q.fire_until(5, [&](int key, std::int64_t) { keys.push_back(key); });
  CHECK(keys == std::vector<int>{7, 107, 207, 307, 407, 507, 607, 707, 807, 907, 3});
}

TEST_CASE("timer_queue holds 100,000 keys at one time") {
  constexpr int keys = 100000;
  timer_queue<int> q;
  for (int k = 0; k < keys; ++k)
    REQUIRE(q.add(k, 10000));
  for (int k = 0; k < keys; k += 3)
    REQUIRE_FALSE(q.add(k, 10000));
  for (int k = 1; k < keys; k += 2)
    REQUIRE(q.remove(k, 10000));
  int expected = 0;
  q.fire_until(10000, [&](int key, std::int64_t) {
    CHECK(key == expected);
    expected += 2;
  });
  CHECK(expected == keys);
  CHECK(q.empty());
}

TEST_CASE("timer_queue takes keys without std::hash and {key, window} keys") {
  timer_queue<plain_key> plain;
  CHECK(plain.add({1}, 10));
  CHECK(plain.add({2}, 10));
  CHECK_FALSE(plain.add({1}, 10));
  CHECK(plain.remove({1}, 10));
  std::vector<int> ids;
  plain.fire_until(10, [&](const plain_key& k, std::int64_t) { ids.push_back(k.id); });
  CHECK(ids == std::vector<int>{2});

  timer_queue<pair_key> pairs;
  CHECK(pairs.add({"a", {1}}, 10));
  CHECK(pairs.add({"a", {2}}, 10));
  CHECK(pairs.add({"b", {1}}, 10));
  CHECK_FALSE(pairs.add({"a", {2}}, 10));
  CHECK(pairs.remove({"a", {1}}, 10));
  fired out;
  pairs.fire_until(10, [&](const pair_key& k, std::int64_t time) {
    out.emplace_back(k.key + std::to_string(k.window.id), time);
  });
  CHECK(out == fired{{"a2", 10}, {"b1", 10}});
}

TEST_CASE("timer_queue matches the linear-scan queue on random operations") {
  std::mt19937 rng(42);
  for (int round = 0; round < 50; ++round) {
    timer_queue<int> q;
    reference_queue ref;
    for (int step = 0; step < 400; ++step) {
      const int key = static_cast<int>(rng() % 8);
      const std::int64_t time = static_cast<std::int64_t>(rng() % 6);
      switch (rng() % 5) {
      case 0:
      case 1: REQUIRE(q.add(key, time) == ref.add(key, time)); break;
      case 2:
      case 3: REQUIRE(q.remove(key, time) == ref.remove(key, time)); break;
      default: {
        std::vector<std::pair<int, std::int64_t>> got;
        q.fire_until(time, [&](int k, std::int64_t t) { got.emplace_back(k, t); });
        REQUIRE(got == ref.fire_until(time));
      }
      }
      REQUIRE(q.earliest() == ref.earliest());
    }
  }
}
