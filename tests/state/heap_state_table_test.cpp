// The heap backend keeps keys of up to 8 bytes compact and moves a state's entries to wide keys
// when the first longer key (or a key in a namespace) arrives: nothing may be lost or mixed up
// on the way, nor in a snapshot taken after it.

#include "keyed_state_fixture.hpp"

#include <cstdint>
#include <map>
#include <string>

using namespace sluice;
using sluice::test::temp_dir;

namespace {

constexpr std::int64_t int_keys = 2000;

std::string long_key(std::int64_t i) { return "a key longer than eight bytes #" + std::to_string(i); }

/// Writes int keys (compact), then long keys and namespaced int keys (wide) into `v`.
void fill(keyed_state_backend& b, value_state<std::int64_t>& v, value_state<std::int64_t>& w) {
  for (std::int64_t k = 0; k < int_keys; ++k) {
    b.set_current_key(k);
    v.update(k * 3);
    w.update(k + 1);
  }
  for (std::int64_t k = 0; k < int_keys / 2; ++k) {
    b.set_current_key(long_key(k));
    v.update(-k);
  }
  b.set_current_key(std::int64_t{7});
  b.set_current_namespace("window");
  v.update(777);
  b.set_current_namespace({});
}

/// Checks what fill() wrote; the namespaced entry does not shadow the key's plain one.
void check(keyed_state_backend& b, value_state<std::int64_t>& v, value_state<std::int64_t>& w) {
  for (std::int64_t k = 0; k < int_keys; ++k) {
    b.set_current_key(k);
    REQUIRE(v.value() == k * 3);
    REQUIRE(w.value() == k + 1);
  }
  for (std::int64_t k = 0; k < int_keys / 2; ++k) {
    b.set_current_key(long_key(k));
    REQUIRE(v.value() == -k);
    REQUIRE_FALSE(w.value().has_value());
  }
  b.set_current_key(std::int64_t{7});
  b.set_current_namespace("window");
  CHECK(v.value() == 777);
  b.set_current_namespace({});
  CHECK(v.value() == 21);
  CHECK(b.entry_count("v") == std::size_t(int_keys + int_keys / 2 + 1));
  CHECK(b.entry_count("w") == std::size_t(int_keys));
}

} // namespace

TEST_CASE("heap: compact keys widen without losing entries, and snapshots keep them") {
  temp_dir dir;
  auto backend = test::make_backend<test::heap_backend>(dir);
  auto& v = backend->get_state(value_state_descriptor<std::int64_t>("v"));
  auto& w = backend->get_state(value_state_descriptor<std::int64_t>("w"));
  fill(*backend, v, w);
  check(*backend, v, w);

  const auto handle = backend->snapshot(1, (dir.path() / "snap").string());
  auto restored = test::make_backend<test::heap_backend>(dir);
  restored->restore({handle});
  auto& rv = restored->get_state(value_state_descriptor<std::int64_t>("v"));
  auto& rw = restored->get_state(value_state_descriptor<std::int64_t>("w"));
  check(*restored, rv, rw);
}

TEST_CASE("heap: erasing compact keys, then widening, keeps the rest") {
  temp_dir dir;
  auto backend = test::make_backend<test::heap_backend>(dir);
  auto& v = backend->get_state(value_state_descriptor<std::int64_t>("v"));
  std::map<std::string, std::int64_t> expected;
  for (std::int64_t k = 0; k < int_keys; ++k) {
    backend->set_current_key(k);
    v.update(k);
    expected[std::to_string(k)] = k;
  }
  for (std::int64_t k = 0; k < int_keys; k += 3) {
    backend->set_current_key(k);
    v.clear();
    expected.erase(std::to_string(k));
  }
  backend->set_current_key(long_key(1));
  v.update(5);
  for (std::int64_t k = 0; k < int_keys; ++k) {
    backend->set_current_key(k);
    const auto it = expected.find(std::to_string(k));
    REQUIRE(v.value() == (it == expected.end() ? std::nullopt : std::optional(it->second)));
  }
  CHECK(backend->entry_count("v") == expected.size() + 1);
}
