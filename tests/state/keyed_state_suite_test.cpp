// The keyed state API, run against every backend in SLUICE_KEYED_BACKENDS with the same
// expected results; expectations come from std::map models, never from the backend itself.

#include "keyed_state_fixture.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

using namespace sluice;
using sluice::test::temp_dir;

namespace {

/// `keys` sorted by their byte form, compared as unsigned bytes (RocksDB's bytewise order).
template <class K>
std::vector<K> in_byte_order(std::vector<K> keys) {
  std::sort(keys.begin(), keys.end(), [](const K& a, const K& b) {
    auto x = to_bytes(a), y = to_bytes(b);
    auto unsigned_less = [](char l, char r) {
      return static_cast<unsigned char>(l) < static_cast<unsigned char>(r);
    };
    return std::lexicographical_compare(x.begin(), x.end(), y.begin(), y.end(), unsigned_less);
  });
  return keys;
}

struct average_acc {
  std::int64_t sum = 0;
  std::int64_t count = 0;
  SLUICE_FIELDS(sum, count)
};

aggregating_state_descriptor<std::int32_t, average_acc, double> average_descriptor() {
  return {"average",
          {[] { return average_acc{}; },
           [](average_acc&& acc, const std::int32_t& v) {
             acc.sum += v;
             ++acc.count;
             return std::move(acc);
           },
           [](const average_acc& acc) { return double(acc.sum) / double(acc.count); }}};
}

} // namespace

TEST_CASE_TEMPLATE("value state: per key, with and without a default", B, SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  auto backend = test::make_backend<B>(dir);
  auto& plain = backend->get_state(value_state_descriptor<std::int64_t>("plain"));
  auto& with_default =
      backend->get_state(value_state_descriptor<std::string>("labelled", std::string("none")));
  backend->set_current_key(std::int64_t{1});
  CHECK(plain.value() == std::nullopt);
  CHECK(with_default.value() == "none");
  plain.update(10);
  with_default.update("one");
  backend->set_current_key(std::int64_t{2});
  CHECK(plain.value() == std::nullopt);
  plain.update(20);
  backend->set_current_key(std::int64_t{1});
  CHECK(plain.value() == 10);
  CHECK(with_default.value() == "one");
  with_default.clear();
  CHECK(with_default.value() == "none");
  plain.update(11);
  CHECK(plain.value() == 11);
  backend->set_current_key(std::int64_t{2});
  CHECK(plain.value() == 20);
  CHECK(backend->entry_count("plain") == 2);
  CHECK(backend->entry_count("labelled") == 0);
}

TEST_CASE_TEMPLATE("list state: add, add_all, update, get, clear", B, SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  auto backend = test::make_backend<B>(dir);
  auto& list = backend->get_state(list_state_descriptor<std::string>("names"));
  backend->set_current_key(std::string("a"));
  CHECK(list.get().empty());
  list.add("x");
  list.add_all({"y", "z"});
  list.add_all({});
  CHECK(list.get() == std::vector<std::string>{"x", "y", "z"});
  backend->set_current_key(std::string("b"));
  list.add("only");
  CHECK(backend->entry_count("names") == 4);
  backend->set_current_key(std::string("a"));
  list.update({"q"});
  CHECK(list.get() == std::vector<std::string>{"q"});
  list.update({});
  CHECK(list.get().empty());
  backend->set_current_key(std::string("b"));
  CHECK(list.get() == std::vector<std::string>{"only"});
  list.clear();
  CHECK(list.get().empty());
  CHECK(backend->entry_count("names") == 0);
}

TEST_CASE_TEMPLATE("map state: put, get, contains, remove, ordered entries", B,
                   SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  auto backend = test::make_backend<B>(dir);
  auto& map = backend->get_state(map_state_descriptor<std::string, std::int32_t>("words"));
  backend->set_current_key(std::int64_t{7});
  CHECK(map.is_empty());
  const std::vector<std::string> words{"pear", "fig", "apple", "kiwi", "banana", "a", "zz"};
  std::map<std::string, std::int32_t> model;
  for (std::size_t i = 0; i < words.size(); ++i) {
    map.put(words[i], std::int32_t(i));
    model[words[i]] = std::int32_t(i);
  }
  map.put("fig", 100);
  model["fig"] = 100;
  map.remove("kiwi");
  map.remove("absent");
  model.erase("kiwi");
  CHECK(map.get("fig") == 100);
  CHECK(map.get("kiwi") == std::nullopt);
  CHECK(map.contains("pear"));
  CHECK_FALSE(map.contains("kiwi"));
  CHECK_FALSE(map.is_empty());

  std::vector<std::string> model_keys;
  for (auto& [k, v] : model)
    model_keys.push_back(k);
  const auto ordered = in_byte_order(model_keys);
  std::vector<std::int32_t> ordered_values;
  std::vector<std::pair<std::string, std::int32_t>> ordered_entries;
  for (auto& k : ordered) {
    ordered_values.push_back(model[k]);
    ordered_entries.emplace_back(k, model[k]);
  }
  CHECK(map.keys() == ordered);
  CHECK(map.values() == ordered_values);
  CHECK(map.entries() == ordered_entries);
  CHECK(backend->entry_count("words") == model.size());

  backend->set_current_key(std::int64_t{8});
  CHECK(map.is_empty());
  CHECK(map.get("fig") == std::nullopt);
  backend->set_current_key(std::int64_t{7});
  for (auto& [k, v] : model)
    map.remove(k);
  CHECK(map.is_empty());
  CHECK(backend->entry_count("words") == 0);
}

TEST_CASE_TEMPLATE("map state orders integer keys by their byte form", B, SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  auto backend = test::make_backend<B>(dir);
  auto& map = backend->get_state(map_state_descriptor<std::int32_t, std::int32_t>("ints"));
  backend->set_current_key(std::int64_t{1});
  const std::vector<std::int32_t> keys{256, 1, -1, 255, 0, 65536, 2};
  for (auto k : keys)
    map.put(k, k * 2);
  CHECK(map.keys() == in_byte_order(keys));
}

TEST_CASE_TEMPLATE("reducing and aggregating states", B, SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  auto backend = test::make_backend<B>(dir);
  auto& max = backend->get_state(reducing_state_descriptor<std::int64_t>(
      "max", [](const std::int64_t& a, const std::int64_t& b) { return std::max(a, b); }));
  auto& average = backend->get_state(average_descriptor());
  backend->set_current_key(std::int64_t{3});
  CHECK(max.get() == std::nullopt);
  CHECK(average.get() == std::nullopt);
  for (std::int32_t v : {4, -2, 9, 1}) {
    max.add(v);
    average.add(v);
  }
  CHECK(max.get() == 9);
  CHECK(average.get() == doctest::Approx(3.0));
  backend->set_current_key(std::int64_t{4});
  max.add(-5);
  CHECK(max.get() == -5);
  CHECK(average.get() == std::nullopt);
  max.clear();
  CHECK(max.get() == std::nullopt);
  backend->set_current_key(std::int64_t{3});
  average.clear();
  CHECK(average.get() == std::nullopt);
  CHECK(max.get() == 9);
}

TEST_CASE_TEMPLATE("namespaces separate the entries of one key", B, SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  auto backend = test::make_backend<B>(dir);
  auto& value = backend->get_state(value_state_descriptor<std::int32_t>("v"));
  auto& map = backend->get_state(map_state_descriptor<std::int32_t, std::int32_t>("m"));
  backend->set_current_key(std::string("key"));
  value.update(1);
  map.put(1, 1);
  backend->set_current_namespace("window-a");
  CHECK(value.value() == std::nullopt);
  CHECK(map.is_empty());
  value.update(2);
  map.put(2, 2);
  backend->set_current_namespace("window-b");
  value.update(3);
  backend->set_current_namespace("window-a");
  CHECK(value.value() == 2);
  CHECK(map.keys() == std::vector<std::int32_t>{2});
  value.clear();
  backend->set_current_namespace("");
  CHECK(value.value() == 1);
  CHECK(map.keys() == std::vector<std::int32_t>{1});
  CHECK(backend->entry_count("v") == 2);
  CHECK(backend->entry_count("m") == 2);
}

TEST_CASE_TEMPLATE("many keys across all key groups agree with a model", B, SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  auto backend = test::make_backend<B>(dir);
  auto& value = backend->get_state(value_state_descriptor<std::int64_t>("sum"));
  std::map<std::int64_t, std::int64_t> model;
  std::mt19937_64 rnd(7);
  for (int step = 0; step < 50000; ++step) {
    auto key = static_cast<std::int64_t>(rnd() % 4000);
    backend->set_current_key(key);
    if (rnd() % 10 == 0) {
      value.clear();
      model.erase(key);
      continue;
    }
    auto it = model.find(key);
    REQUIRE(value.value() == (it == model.end() ? std::nullopt : std::optional(it->second)));
    value.update(value.value().value_or(0) + step);
    model[key] += step;
  }
  CHECK(backend->entry_count("sum") == model.size());
  for (auto& [key, sum] : model) {
    backend->set_current_key(key);
    CHECK(value.value() == sum);
  }
}

TEST_CASE_TEMPLATE("registration: one name keeps one kind and type", B, SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  test::backend_options options;
  options.owner = "dedup (2/4)";
  auto backend = test::make_backend<B>(dir, options);
  auto& first = backend->get_state(value_state_descriptor<std::int64_t>("seen"));
  CHECK(&backend->get_state(value_state_descriptor<std::int64_t>("seen")) == &first);
  test::check_state_error(
      [&] { backend->get_state(value_state_descriptor<std::string>("seen")); },
      {"dedup (2/4)", "seen"});
  test::check_state_error([&] { backend->get_state(list_state_descriptor<std::int64_t>("seen")); },
                          {"dedup (2/4)", "seen"});
}

TEST_CASE_TEMPLATE("keyed state needs a current key of the subtask's key groups", B,
                   SLUICE_KEYED_BACKENDS) {
  temp_dir dir;
  auto options = test::options_for<B>();
  options.owner = "sum (1/2)";
  auto backend = test::make_backend(B::kind, dir, key_group_range_for_subtask(128, 2, 0), options);
  auto& value = backend->get_state(value_state_descriptor<std::int64_t>("total"));
  test::check_state_error([&] { value.value(); }, {"sum (1/2)", "total"});
  std::int64_t foreign = 0;
  while (test::subtask_of(foreign, 2) == 0)
    ++foreign;
  test::check_state_error([&] { backend->set_current_key(foreign); }, {"sum (1/2)"});
}
