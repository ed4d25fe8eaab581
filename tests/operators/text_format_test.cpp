#include "sluice/operators/core/text_format.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

using namespace sluice;

namespace {

struct point {
  int x;
  int y;
};

std::ostream& operator<<(std::ostream& os, const point& p) {
  return os << '(' << p.x << ' ' << p.y << ')';
}

enum class color : std::uint8_t { red = 1, blue = 7 };

} // namespace

TEST_CASE("write_text: numbers, booleans, characters") {
  CHECK(to_text(std::int64_t{42}) == "42");
  CHECK(to_text(std::numeric_limits<std::int64_t>::min()) == "-9223372036854775808");
  CHECK(to_text(std::numeric_limits<std::uint64_t>::max()) == "18446744073709551615");
  CHECK(to_text(std::int8_t{-5}) == "-5");
  CHECK(to_text(std::uint8_t{200}) == "200");
  CHECK(to_text(true) == "true");
  CHECK(to_text(false) == "false");
  CHECK(to_text('x') == "x");
  CHECK(to_text(0.1) == "0.1");
  CHECK(to_text(3.0) == "3");
  CHECK(to_text(-2.5) == "-2.5");
  CHECK(to_text(1e300) == "1e+300");
  CHECK(to_text(0.1f) == "0.1");
  CHECK(std::stod(to_text(1.0 / 3)) == 1.0 / 3); // reads back exactly
}

TEST_CASE("write_text: strings are written raw") {
  CHECK(to_text(std::string("a b,c")) == "a b,c");
  CHECK(to_text(std::string_view("view")) == "view");
  CHECK(to_text("literal") == "literal");
  CHECK(to_text(std::string()).empty());
}

TEST_CASE("write_text: pairs and tuples join their fields with commas") {
  CHECK(to_text(std::pair<std::string, std::int64_t>{"word", 3}) == "word,3");
  CHECK(to_text(std::make_tuple(1, std::string("b"), 2.5, false)) == "1,b,2.5,false");
  CHECK(to_text(std::tuple<>{}).empty());
  CHECK(to_text(std::make_tuple(std::make_pair(1, 2), 3)) == "1,2,3");
}

TEST_CASE("write_text: vectors, arrays, optionals") {
  CHECK(to_text(std::vector<int>{1, 2, 3}) == "[1,2,3]");
  CHECK(to_text(std::vector<int>{}) == "[]");
  CHECK(to_text(std::array<std::string, 2>{"a", "b"}) == "[a,b]");
  CHECK(to_text(std::vector<bool>{true, false}) == "[true,false]");
  CHECK(to_text(std::vector<std::pair<std::string, int>>{{"a", 1}, {"b", 2}}) == "[a,1,b,2]");
  CHECK(to_text(std::vector<std::vector<int>>{{1}, {}, {2, 3}}) == "[[1],[],[2,3]]");
  CHECK(to_text(std::optional<int>{7}) == "7");
  CHECK(to_text(std::optional<int>{}) == "null");
  CHECK(to_text(std::make_pair(std::optional<std::string>{}, 1)) == "null,1");
}

TEST_CASE("write_text: other types through operator<<, enums by value") {
  CHECK(to_text(point{1, -2}) == "(1 -2)");
  CHECK(to_text(std::vector<point>{{1, 2}, {3, 4}}) == "[(1 2),(3 4)]");
  CHECK(to_text(color::blue) == "7");
}

TEST_CASE("write_text appends to what the string holds") {
  std::string out = "1> ";
  write_text(out, std::make_pair(std::string("k"), 5));
  CHECK(out == "1> k,5");
}
