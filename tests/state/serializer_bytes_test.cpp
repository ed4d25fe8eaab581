// The exact byte layout of small values, written out by hand.

#include "sluice/state/serialization.hpp"
#include "test_types.hpp"

#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

using namespace sluice;
using namespace test_types;

namespace {

std::vector<char> bytes(std::initializer_list<int> values) {
  std::vector<char> out;
  for (int v : values)
    out.push_back(static_cast<char>(static_cast<unsigned char>(v)));
  return out;
}

std::vector<char> varint(std::uint64_t v) {
  std::vector<char> out;
  {
    byte_writer w(out);
    w.write_varint(v);
  }
  return out;
}

std::uint64_t read_varint(const std::vector<char>& b) {
  byte_reader r(b);
  auto v = r.read_varint();
  CHECK(r.at_end());
  return v;
}

} // namespace

TEST_CASE("varints are LEB128") {
  CHECK(varint(0) == bytes({0x00}));
  CHECK(varint(1) == bytes({0x01}));
  CHECK(varint(127) == bytes({0x7f}));
  CHECK(varint(128) == bytes({0x80, 0x01}));
  CHECK(varint(300) == bytes({0xac, 0x02}));
  CHECK(varint(16384) == bytes({0x80, 0x80, 0x01}));
  CHECK(varint(std::numeric_limits<std::uint64_t>::max()) ==
        bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
  CHECK(read_varint(bytes({0xac, 0x02})) == 300);
  CHECK(read_varint(bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})) ==
        std::numeric_limits<std::uint64_t>::max());
}

TEST_CASE("malformed varints are rejected") {
  auto too_big = bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02});
  auto too_long = bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00});
  byte_reader r1(too_big);
  CHECK_THROWS_AS(r1.read_varint(), serialization_error);
  byte_reader r2(too_long);
  CHECK_THROWS_AS(r2.read_varint(), serialization_error);
  auto unterminated = bytes({0x80, 0x80});
  byte_reader r3(unterminated);
  CHECK_THROWS_AS(r3.read_varint(), serialization_error);
}

TEST_CASE("scalars are their little-endian bytes") {
  CHECK(to_bytes(std::int32_t{1}) == bytes({1, 0, 0, 0}));
  CHECK(to_bytes(std::int16_t{-2}) == bytes({0xfe, 0xff}));
  CHECK(to_bytes(std::uint32_t{0x01020304}) == bytes({4, 3, 2, 1}));
  CHECK(to_bytes(std::numeric_limits<std::int64_t>::min()) == bytes({0, 0, 0, 0, 0, 0, 0, 0x80}));
  CHECK(to_bytes(1.0) == bytes({0, 0, 0, 0, 0, 0, 0xf0, 0x3f}));
  CHECK(to_bytes(-0.0f) == bytes({0, 0, 0, 0x80}));
  CHECK(to_bytes(true) == bytes({1}));
  CHECK(to_bytes(false) == bytes({0}));
}

TEST_CASE("a scalar's byte view is its byte form") {
  auto view_of = [](const auto& v) {
    auto view = serializer<std::decay_t<decltype(v)>>::view(v);
    return std::vector<char>(view.begin(), view.end());
  };
  CHECK(view_of(std::int64_t{-3}) == to_bytes(std::int64_t{-3}));
  CHECK(view_of(std::uint16_t{0x0102}) == to_bytes(std::uint16_t{0x0102}));
  CHECK(view_of(2.5) == to_bytes(2.5));
  CHECK(has_byte_view_v<std::int32_t>);
  CHECK_FALSE(has_byte_view_v<bool>);
  CHECK_FALSE(has_byte_view_v<std::string>);
}

TEST_CASE("strings and sequences are a varint count then the elements") {
  CHECK(to_bytes(std::string{}) == bytes({0}));
  CHECK(to_bytes(std::string{"ab"}) == bytes({2, 'a', 'b'}));
  auto long_string = to_bytes(std::string(300, 'q'));
  CHECK(long_string.size() == 302);
  CHECK(std::vector<char>(long_string.begin(), long_string.begin() + 2) == bytes({0xac, 0x02}));
  CHECK(to_bytes(std::vector<std::uint16_t>{1, 0x0203}) == bytes({2, 1, 0, 3, 2}));
  CHECK(to_bytes(std::vector<bool>{true, false}) == bytes({2, 1, 0}));
  CHECK(to_bytes(std::vector<std::string>{"a", ""}) == bytes({2, 1, 'a', 0}));
  CHECK(to_bytes(std::set<std::int8_t>{3, -1}) == bytes({2, 0xff, 3}));
  CHECK(to_bytes(std::map<std::string, bool>{{"b", false}, {"a", true}}) ==
        bytes({2, 1, 'a', 1, 1, 'b', 0}));
  CHECK(to_bytes(std::array<std::int8_t, 3>{1, 2, 3}) == bytes({1, 2, 3}));
}

TEST_CASE("optional, pair, tuple, duration and structs have no headers of their own") {
  CHECK(to_bytes(std::optional<std::int16_t>{}) == bytes({0}));
  CHECK(to_bytes(std::optional<std::int16_t>{0x0102}) == bytes({1, 2, 1}));
  CHECK(to_bytes(std::pair<std::int8_t, std::string>{5, "x"}) == bytes({5, 1, 'x'}));
  CHECK(to_bytes(std::tuple<bool, std::int8_t, std::string>{true, -1, ""}) == bytes({1, 0xff, 0}));
  CHECK(to_bytes(std::chrono::duration<std::int16_t>{258}) == bytes({2, 1}));
  CHECK(to_bytes(point{1, -1}) == bytes({1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}));
  CHECK(to_bytes(legacy{2, "id"}) == bytes({2, 0, 0, 0, 0, 0, 0, 0, 2, 'i', 'd'}));
  CHECK(to_bytes(box<std::optional<point>>{point{3, 4}}) == bytes({1, 3, 0, 0, 0, 4, 0, 0, 0}));
}

TEST_CASE("invalid flag bytes and duplicate keys are rejected") {
  CHECK_THROWS_AS(from_bytes<bool>(bytes({2})), serialization_error);
  CHECK_THROWS_AS(from_bytes<std::optional<std::int8_t>>(bytes({2, 7})), serialization_error);
  CHECK_THROWS_AS(from_bytes<std::set<std::int8_t>>(bytes({2, 4, 4})), serialization_error);
  CHECK_THROWS_AS((from_bytes<std::map<std::int8_t, std::int8_t>>(bytes({2, 1, 10, 1, 11}))),
                  serialization_error);
  CHECK_THROWS_AS((from_bytes<std::unordered_map<std::int8_t, bool>>(bytes({2, 1, 0, 1, 1}))),
                  serialization_error);
  CHECK(from_bytes<std::set<std::int8_t>>(bytes({2, 4, 3})) == std::set<std::int8_t>{3, 4});
}

TEST_CASE("trailing bytes are an error") {
  CHECK_THROWS_AS(from_bytes<std::int32_t>(bytes({1, 0, 0, 0, 0})), serialization_error);
  CHECK_THROWS_AS(from_bytes<std::int16_t>(bytes({1, 0, 0, 0})), serialization_error);
  CHECK_THROWS_AS(from_bytes<std::string>(bytes({1, 'a', 'b'})), serialization_error);
  CHECK_THROWS_AS(from_bytes<std::tuple<>>(bytes({0})), serialization_error);
  auto b = to_bytes(point{1, 2});
  b.push_back(0);
  CHECK_THROWS_WITH_AS(from_bytes<point>(b), "1 trailing bytes after the value",
                       serialization_error);
  CHECK(from_bytes<std::int32_t>(bytes({1, 0, 0, 0})) == 1);
}

TEST_CASE("containers of elements that may encode to zero bytes") {
  // Each element must take at least one byte, or the count could not be bounded on reading.
  CHECK_THROWS_AS(to_bytes(std::vector<std::tuple<>>(3)), serialization_error);
  CHECK_THROWS_AS(to_bytes(std::vector<nothing>(1)), serialization_error);
  CHECK_THROWS_AS(to_bytes(std::map<std::tuple<>, std::tuple<>>{{{}, {}}}), serialization_error);
  CHECK(to_bytes(std::vector<std::tuple<>>{}) == bytes({0}));
  CHECK_THROWS_AS(from_bytes<std::vector<std::tuple<>>>(bytes({5})), serialization_error);
  CHECK_THROWS_AS(from_bytes<std::vector<nothing>>(bytes({1})), serialization_error);
  // Elements of unknown minimum size that do carry bytes are fine.
  CHECK(to_bytes(std::vector<opaque>{{1}, {2}}) == bytes({2, 1, 0, 0, 0, 2, 0, 0, 0}));
  CHECK(to_bytes(std::vector<std::array<int, 0>>{}) == bytes({0}));
  CHECK(to_bytes(std::array<nothing, 4>{}).empty());
}
