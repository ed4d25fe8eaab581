// Truncated, corrupt and random input: always serialization_error, never a crash, an
// out-of-bounds read (run under ASan) or an allocation out of proportion to the input.

#include "alloc_probe.hpp"
#include "sluice/state/serialization.hpp"
#include "test_types.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

using namespace sluice;
using namespace test_types;

namespace {

using composite = std::map<std::string, std::vector<std::pair<int, std::optional<std::string>>>>;

composite sample_composite() {
  return {{"", {}},
          {"alpha", {{1, "one"}, {2, std::nullopt}, {-3, ""}}},
          {"beta", {{300, std::string(130, 'b')}}}};
}

route sample_route() {
  return {"r", {1, 2}, {{3, 4}, {5, 6}}, point{7, 8}, {{"a", {9, 10}}, {"bb", {11, 12}}}};
}

/// A varint for `count`, then `filler` bytes of value `fill`.
std::vector<char> count_then(std::uint64_t count, std::size_t filler, char fill) {
  std::vector<char> out;
  {
    byte_writer w(out);
    w.write_varint(count);
  }
  out.resize(out.size() + filler, fill);
  return out;
}

/// Reads T from `b`; true if it parsed, false on serialization_error (anything else fails).
template <class T>
bool parses(const std::vector<char>& b) {
  try {
    from_bytes<T>(b);
    return true;
  } catch (const serialization_error&) {
    return false;
  }
}

/// Every strict prefix of T's byte form fails; each is copied to an exact-size heap buffer so an
/// overread is caught by ASan.
template <class T>
void check_every_truncation_fails(const T& v) {
  auto full = to_bytes(v);
  REQUIRE(from_bytes<T>(full) == v);
  int parsed = 0;
  for (std::size_t n = 0; n < full.size(); ++n) {
    std::vector<char> prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    if (parses<T>(prefix))
      ++parsed;
  }
  CHECK(parsed == 0);
}

/// Largest allocation made while failing to read T from `b`.
template <class T>
std::size_t allocation_when_rejecting(const std::vector<char>& b) {
  test::reset_largest_allocation();
  bool ok = parses<T>(b);
  auto largest = test::largest_allocation();
  CHECK_FALSE(ok);
  return largest;
}

} // namespace

TEST_CASE("every truncation of a composite value is an error") {
  check_every_truncation_fails(sample_composite());
  check_every_truncation_fails(sample_route());
  check_every_truncation_fails(std::vector<route>{sample_route(), route{}});
  check_every_truncation_fails(std::unordered_map<std::string, std::set<std::int64_t>>{
      {"x", {1, 2, 3}}, {"", {}}, {"yy", {-1}}});
  check_every_truncation_fails(
      std::tuple<std::int8_t, std::string, std::vector<double>>{1, "two", {3.0, 4.0}});
  check_every_truncation_fails(std::string(200, 's'));
  check_every_truncation_fails(std::vector<std::int64_t>(40, -1));
}

TEST_CASE("huge length prefixes are rejected before allocating") {
  constexpr std::size_t small = 64 * 1024;
  for (std::uint64_t count : {std::uint64_t{1} << 62, std::uint64_t{1} << 40,
                              std::uint64_t{1} << 20, std::uint64_t{17}}) {
    CAPTURE(count);
    auto b = count_then(count, 16, '\x01');
    CHECK(allocation_when_rejecting<std::string>(b) < small);
    CHECK(allocation_when_rejecting<std::vector<std::int64_t>>(b) < small);
    CHECK(allocation_when_rejecting<std::vector<std::string>>(b) < small);
    CHECK(allocation_when_rejecting<std::vector<route>>(b) < small);
    CHECK(allocation_when_rejecting<std::set<std::int32_t>>(b) < small);
    CHECK(allocation_when_rejecting<std::map<std::string, std::string>>(b) < small);
    CHECK(allocation_when_rejecting<std::unordered_map<std::int64_t, std::string>>(b) < small);
    CHECK(allocation_when_rejecting<std::vector<std::tuple<>>>(b) < small);
    CHECK(allocation_when_rejecting<std::vector<nothing>>(b) < small);
    CHECK(allocation_when_rejecting<std::vector<opaque>>(b) < small);
    CHECK(allocation_when_rejecting<std::vector<std::vector<std::int64_t>>>(b) < small);
  }
  std::vector<char> max_varint(9, '\xff');
  max_varint.push_back('\x01');
  CHECK(allocation_when_rejecting<std::vector<std::string>>(max_varint) < small);
}

TEST_CASE("a corrupt length nested inside a valid value is rejected") {
  auto b = to_bytes(std::vector<std::string>{"ok", "fine"});
  REQUIRE(b[4] == 4); // the second string's length
  b[4] = '\x7f';
  CHECK_THROWS_AS(from_bytes<std::vector<std::string>>(b), serialization_error);
  auto m = to_bytes(std::map<std::string, std::vector<int>>{{"k", {1, 2}}});
  REQUIRE(m[3] == 2); // the vector's count
  m[3] = '\x03';
  CHECK_THROWS_AS((from_bytes<std::map<std::string, std::vector<int>>>(m)), serialization_error);
}

TEST_CASE("a plausible but false count reserves no more than the input size") {
  // 2^20 strings announced, 2^20 bytes follow, but the first "string" is a malformed varint.
  auto b = count_then(std::uint64_t{1} << 20, std::size_t{1} << 20, '\xff');
  auto largest = allocation_when_rejecting<std::vector<std::string>>(b);
  CHECK(largest <= b.size() + sizeof(std::string));
  auto m = allocation_when_rejecting<std::unordered_map<std::string, std::string>>(b);
  CHECK(m <= 2 * b.size());
}

TEST_CASE("every single-byte corruption of a composite value parses or throws") {
  auto full = to_bytes(sample_composite());
  int rejected = 0;
  for (std::size_t i = 0; i < full.size(); ++i) {
    for (int v : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
      auto b = full;
      b[i] = static_cast<char>(v);
      if (!parses<composite>(b))
        ++rejected;
    }
  }
  CHECK(rejected > 0);
}

TEST_CASE("random bytes parse or throw") {
  std::uint64_t state = 0x9e3779b97f4a7c15ULL;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  int rejected = 0;
  for (int round = 0; round < 2000; ++round) {
    std::vector<char> b(next() % 64);
    for (auto& c : b)
      c = static_cast<char>(next() % 4 == 0 ? next() : next() % 4);
    rejected += parses<composite>(b) ? 0 : 1;
    rejected += parses<route>(b) ? 0 : 1;
    rejected += parses<std::vector<std::optional<std::set<std::int16_t>>>>(b) ? 0 : 1;
  }
  CHECK(rejected > 0);
}
