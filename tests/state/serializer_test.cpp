// Round trips: every value comes back equal, and re-serializes to the same bytes.

#include "sluice/state/serialization.hpp"
#include "test_types.hpp"

#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

using namespace sluice;
using namespace test_types;

namespace {

/// Reads back the byte form of `v`; for ordered types it must re-serialize to the same bytes.
template <class T>
T round_trip(const T& v) {
  auto bytes = to_bytes(v);
  auto back = from_bytes<T>(bytes);
  CHECK(to_bytes(back) == bytes);
  return back;
}

template <class T>
void check_round_trip(const T& v) {
  CHECK(round_trip(v) == v);
}

/// Unordered containers: equal after reading, but iteration order (and so bytes) may differ.
template <class T>
void check_unordered_round_trip(const T& v) {
  CHECK(from_bytes<T>(to_bytes(v)) == v);
}

template <class F>
std::uint64_t bits_of(F f) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &f, sizeof f);
  return bits;
}

template <class F>
void check_bitwise_round_trip(F f) {
  CHECK(bits_of(round_trip(f)) == bits_of(f));
}

} // namespace

TEST_CASE("extreme integers round-trip") {
  check_round_trip(std::numeric_limits<std::int64_t>::min());
  check_round_trip(std::numeric_limits<std::int64_t>::max());
  check_round_trip(std::numeric_limits<std::uint64_t>::max());
  check_round_trip(std::numeric_limits<std::int32_t>::min());
  check_round_trip(std::numeric_limits<std::int8_t>::min());
  check_round_trip(std::numeric_limits<std::uint16_t>::max());
  check_round_trip(char{'\0'});
  check_round_trip(true);
  check_round_trip(false);
}

TEST_CASE("floating point values round-trip bit for bit") {
  using dl = std::numeric_limits<double>;
  double payload_nan;
  std::uint64_t nan_bits = 0xfff8'0000'dead'beefULL;
  std::memcpy(&payload_nan, &nan_bits, sizeof payload_nan);
  for (double d : {0.0, -0.0, dl::infinity(), -dl::infinity(), dl::quiet_NaN(), payload_nan,
                   dl::denorm_min(), dl::max(), dl::lowest(), 0.1})
    check_bitwise_round_trip(d);
  check_bitwise_round_trip(std::numeric_limits<float>::quiet_NaN());
  check_bitwise_round_trip(-std::numeric_limits<float>::infinity());
  check_bitwise_round_trip(-0.0f);
}

TEST_CASE("empty values round-trip") {
  check_round_trip(std::string{});
  check_round_trip(std::vector<std::int64_t>{});
  check_round_trip(std::vector<std::string>{});
  check_round_trip(std::map<std::string, std::string>{});
  check_unordered_round_trip(std::unordered_map<int, int>{});
  check_round_trip(std::set<int>{});
  check_round_trip(std::optional<std::string>{});
  check_round_trip(std::optional<std::string>{""});
  check_round_trip(std::tuple<>{});
  check_round_trip(std::array<int, 0>{});
  check_round_trip(nothing{});
  check_round_trip(std::vector<nothing>{});
  CHECK(to_bytes(std::tuple<>{}).empty());
  CHECK(to_bytes(nothing{}).empty());
}

TEST_CASE("a 64 MiB string round-trips") {
  std::string big(std::size_t{64} << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<char>((i * 31 + i / 4096) % 251);
  auto bytes = to_bytes(big);
  REQUIRE(bytes.size() == big.size() + 4); // 2^26 needs a 4-byte varint
  CHECK(std::memcmp(bytes.data() + 4, big.data(), big.size()) == 0);
  CHECK(from_bytes<std::string>(bytes) == big);
}

TEST_CASE("standard containers round-trip") {
  check_round_trip(std::pair<std::int16_t, std::string>{-7, "seven"});
  check_round_trip(std::tuple<int, std::string, double, bool>{1, "two", 3.5, true});
  check_round_trip(std::optional<std::int64_t>{std::numeric_limits<std::int64_t>::min()});
  check_round_trip(std::array<std::int32_t, 3>{-1, 0, 1});
  check_round_trip(std::array<std::string, 2>{"a", ""});
  check_round_trip(std::vector<std::uint64_t>{0, 1, std::numeric_limits<std::uint64_t>::max()});
  check_round_trip(std::vector<bool>{true, false, true, true});
  check_round_trip(std::vector<char>{'a', '\0', '\xff'});
  check_round_trip(std::vector<std::string>{"", "x", std::string(300, 'y')});
  check_round_trip(std::set<std::string>{"b", "a", "c"});
  check_unordered_round_trip(std::unordered_set<std::int64_t>{5, -5, 1 << 30});
  check_round_trip(std::map<std::int32_t, bool>{{-1, true}, {2, false}});
  check_round_trip(std::chrono::milliseconds{-1234});
  check_round_trip(std::chrono::duration<double, std::micro>{2.5});

  std::unordered_map<std::string, std::vector<int>> um;
  for (int i = 0; i < 200; ++i)
    um["k" + std::to_string(i)] = std::vector<int>(static_cast<std::size_t>(i % 5), i);
  check_unordered_round_trip(um);
}

TEST_CASE("nested containers round-trip") {
  using nested = std::map<std::string, std::vector<std::pair<int, std::optional<std::string>>>>;
  nested v{{"", {}},
           {"alpha", {{1, "one"}, {2, std::nullopt}, {-3, ""}}},
           {"beta", {{std::numeric_limits<int>::min(), std::string(1000, 'z')}}}};
  check_round_trip(v);
  check_round_trip(std::vector<std::vector<std::vector<int>>>{{}, {{}}, {{1, 2}, {3}}});
  check_round_trip(std::optional<std::optional<int>>{std::optional<int>{}});
  check_round_trip(std::optional<std::optional<int>>{});
}

TEST_CASE("user structs round-trip, nested and inside containers") {
  check_round_trip(point{-1, 2});
  route r{"north", {0, 0}, {{1, 1}, {2, 3}}, point{9, 9}, {{"tower", {5, 6}}, {"well", {-5, 6}}}};
  check_round_trip(r);
  check_round_trip(route{});
  check_round_trip(std::vector<route>{r, route{}, r});
  check_round_trip(std::map<point, route>{{point{1, 2}, r}, {point{0, 0}, route{}}});
  check_round_trip(std::optional<box<std::vector<point>>>{box<std::vector<point>>{{{1, 2}}}});
  check_round_trip(legacy{42, "answer"});
  check_round_trip(std::vector<legacy>{{1, "a"}, {2, ""}});
  check_round_trip(account{"ada", -100});
  check_round_trip(std::vector<opaque>{{1}, {2}, {3}});
  check_round_trip(std::pair<point, legacy>{{3, 4}, {5, "five"}});
}

TEST_CASE("minimum encoded sizes") {
  static_assert(min_encoded_size_v<std::int64_t> == 8);
  static_assert(min_encoded_size_v<bool> == 1);
  static_assert(min_encoded_size_v<std::string> == 1);
  static_assert(min_encoded_size_v<std::vector<std::int64_t>> == 1);
  static_assert(min_encoded_size_v<std::optional<std::int64_t>> == 1);
  static_assert(min_encoded_size_v<std::pair<std::int32_t, std::string>> == 5);
  static_assert(min_encoded_size_v<std::tuple<>> == 0);
  static_assert(min_encoded_size_v<std::array<std::int16_t, 3>> == 6);
  static_assert(min_encoded_size_v<std::chrono::nanoseconds> == 8);
  static_assert(min_encoded_size_v<point> == 8);
  static_assert(min_encoded_size_v<route> == 1 + 8 + 1 + 1 + 1);
  static_assert(min_encoded_size_v<legacy> == 9);
  static_assert(min_encoded_size_v<opaque> == 0);
  static_assert(min_encoded_size_v<nothing> == 0);
  static_assert(min_encoded_size_v<box<point>> == 8);
  CHECK(to_bytes(route{}).size() == min_encoded_size_v<route>);
  CHECK(to_bytes(legacy{}).size() == min_encoded_size_v<legacy>);
}

TEST_CASE("a struct that only inherits SLUICE_FIELDS is rejected at compile time") {
  static_assert(detail::fields_declared_in_self<point>());
  static_assert(!detail::fields_declared_in_self<point3>());
  static_assert(detail::fields_declared_in_self<legacy>());
  CHECK(detail::has_fields_v<point3>);
}

TEST_CASE("deserialize overwrites the previous contents") {
  std::vector<int> v{9, 9, 9};
  auto b1 = to_bytes(std::vector<int>{1});
  byte_reader r1(b1);
  deserialize(r1, v);
  CHECK(v == std::vector<int>{1});
  std::map<int, int> m{{7, 7}};
  auto b2 = to_bytes(std::map<int, int>{{1, 2}});
  byte_reader r2(b2);
  deserialize(r2, m);
  CHECK(m == std::map<int, int>{{1, 2}});
  std::optional<int> o = 5;
  auto b3 = to_bytes(std::optional<int>{});
  byte_reader r3(b3);
  deserialize(r3, o);
  CHECK(!o.has_value());
}
