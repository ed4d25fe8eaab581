// key_hash: fixed values from the documented algorithm, an independent re-implementation, and
// the spread of keys over key groups.

#include "sluice/state/key_hash.hpp"
#include "test_types.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

using namespace sluice;
using namespace test_types;

namespace {

// Re-implementations written from the algorithm in key_hash.hpp, sharing no code with it.

std::uint64_t ref_fmix64(std::uint64_t k) {
  k = (k ^ (k >> 33)) * 0xff51afd7ed558ccdULL;
  k = (k ^ (k >> 33)) * 0xc4ceb9fe1a85ec53ULL;
  return k ^ (k >> 33);
}

std::uint64_t ref_hash_bytes(const std::string& s) {
  const std::uint64_t m = 0xc6a4a7935bd1e995ULL;
  std::uint64_t h = s.size() * m;
  std::size_t blocks = s.size() / 8;
  for (std::size_t b = 0; b < blocks; ++b) {
    std::uint64_t k = 0;
    for (int i = 7; i >= 0; --i)
      k = (k << 8) | static_cast<unsigned char>(s[b * 8 + static_cast<std::size_t>(i)]);
    k *= m;
    k ^= k >> 47;
    k *= m;
    h = (h ^ k) * m;
  }
  std::size_t rest = s.size() % 8;
  if (rest > 0) {
    std::uint64_t t = 0;
    for (std::size_t i = rest; i-- > 0;)
      t = (t << 8) | static_cast<unsigned char>(s[blocks * 8 + i]);
    h = (h ^ t) * m;
  }
  h ^= h >> 47;
  h *= m;
  h ^= h >> 47;
  return ref_fmix64(h);
}

std::uint64_t ref_hash_bytes(const std::vector<char>& b) {
  return ref_hash_bytes(std::string(b.begin(), b.end()));
}

/// Fails unless each of `groups` key groups got within 20% of the mean count.
void check_spread(const std::vector<int>& counts, int keys) {
  double mean = static_cast<double>(keys) / static_cast<double>(counts.size());
  int total = 0;
  int outside = 0;
  for (int c : counts) {
    total += c;
    outside += c < 0.8 * mean || c > 1.2 * mean;
  }
  CHECK(total == keys);
  CHECK(outside == 0);
}

template <class K, class MakeKey>
void check_key_spread(int keys, MakeKey make_key, std::uint64_t (*reference)(const K&)) {
  constexpr int maxp = 128;
  std::vector<int> counts(maxp, 0);
  int disagreements = 0;
  for (int i = 0; i < keys; ++i) {
    K key = make_key(i);
    auto group = static_cast<int>(reference(key) % maxp);
    ++counts[static_cast<std::size_t>(group)];
    disagreements += key_group_of(key, maxp) != group;
  }
  CHECK(disagreements == 0);
  check_spread(counts, keys);
}

std::uint64_t ref_int_hash(const std::int64_t& k) {
  return ref_fmix64(static_cast<std::uint64_t>(k));
}

std::uint64_t ref_string_hash(const std::string& k) { return ref_hash_bytes(k); }

} // namespace

TEST_CASE("fixed hash values (changing them moves keys between key groups)") {
  CHECK(fmix64(0) == 0);
  CHECK(key_hash(std::int64_t{1}) == 0xb456bcfc34c2cb2cULL);
  CHECK(key_hash(std::int64_t{42}) == 0x810879608e4259ccULL);
  CHECK(key_hash(std::int64_t{-1}) == 0x64b5720b4b825f21ULL);
  CHECK(key_hash(std::numeric_limits<std::int64_t>::min()) == 0x8f780810af31a493ULL);
  CHECK(key_hash(1.0) == 0xae98ebe19cceb2b2ULL);
  CHECK(key_hash(std::string{}) == 0);
  CHECK(key_hash(std::string{"a"}) == 0xc8f43092e141d487ULL);
  CHECK(key_hash(std::string{"hello"}) == 0x4f535b1b928cff6eULL);
  CHECK(key_hash(std::string{"abcdefgh"}) == 0x5c455ae71e3262ccULL);
  CHECK(key_hash(std::string{"abcdefghi"}) == 0x2181888438e339f2ULL);
  CHECK(key_hash(std::string{"sluice key groups"}) == 0x4dbe731adc38777aULL);
  CHECK(key_hash(std::pair<std::int64_t, std::string>{7, "x"}) == 0x274137b98b6306c8ULL);
  CHECK(key_group_of(std::int64_t{1}, 128) == 44);
  CHECK(key_group_of(std::string{"hello"}, 128) == 110);
}

TEST_CASE("key_hash agrees with an independent implementation") {
  for (std::int64_t k : {std::int64_t{0}, std::int64_t{1}, std::int64_t{-7}, std::int64_t{1} << 40,
                         std::numeric_limits<std::int64_t>::max()})
    CHECK(key_hash(k) == ref_fmix64(static_cast<std::uint64_t>(k)));
  std::string s;
  int mismatches = 0;
  for (int len = 0; len < 70; ++len) {
    mismatches += key_hash(s) != ref_hash_bytes(s);
    mismatches += hash_bytes(s.data(), s.size()) != ref_hash_bytes(s);
    s.push_back(static_cast<char>(len * 37 + 200));
  }
  CHECK(mismatches == 0);
}

TEST_CASE("equal keys of different types hash alike") {
  CHECK(key_hash(std::int32_t{-5}) == key_hash(std::int64_t{-5}));
  CHECK(key_hash(std::int8_t{-1}) == key_hash(std::uint64_t{0xffffffffffffffffULL}));
  CHECK(key_hash(std::uint8_t{200}) == key_hash(std::int64_t{200}));
  CHECK(key_hash(true) == key_hash(1));
  CHECK(key_hash(std::string_view{"key"}) == key_hash(std::string{"key"}));
  CHECK(key_hash(1.5f) == key_hash(1.5));
  CHECK(key_hash(-0.0) == key_hash(0.0));
  CHECK(key_hash(-0.0f) == key_hash(0.0));
  CHECK(key_hash(0.0) == ref_fmix64(0));
  double other_nan;
  std::uint64_t nan_bits = 0xfff0'0000'0000'0001ULL;
  std::memcpy(&other_nan, &nan_bits, sizeof other_nan);
  REQUIRE(std::isnan(other_nan));
  CHECK(key_hash(other_nan) == key_hash(std::numeric_limits<double>::quiet_NaN()));
  CHECK(key_hash(std::nanf("")) == ref_fmix64(0x7ff8000000000000ULL));
  CHECK(key_hash(2.0) != key_hash(1.0));
}

TEST_CASE("composite keys hash their byte form") {
  CHECK(key_hash(point{1, 2}) == ref_hash_bytes(std::string("\1\0\0\0\2\0\0\0", 8)));
  std::tuple<std::string, std::int32_t, bool> t{"k", 9, true};
  CHECK(key_hash(t) == ref_hash_bytes(to_bytes(t)));
  legacy l{3, "three"};
  CHECK(key_hash(l) == ref_hash_bytes(to_bytes(l)));
  CHECK(key_hash(std::vector<std::int64_t>{1, 2}) ==
        ref_hash_bytes(to_bytes(std::vector<std::int64_t>{1, 2})));
  CHECK(detail::key_scratch().empty());
  CHECK_THROWS_AS(key_hash(std::vector<std::tuple<>>(2)), serialization_error);
  CHECK(detail::key_scratch().empty());
}

TEST_CASE("distinct keys give distinct hashes") {
  std::set<std::uint64_t> seen;
  for (std::int64_t k = -5000; k < 5000; ++k)
    seen.insert(key_hash(k));
  for (int i = 0; i < 10000; ++i)
    seen.insert(key_hash("k" + std::to_string(i)));
  CHECK(seen.size() == 20000);
}

TEST_CASE("100,000 int64 keys spread evenly over 128 key groups") {
  check_key_spread<std::int64_t>(
      100000, [](int i) { return std::int64_t{i}; }, ref_int_hash);
  check_key_spread<std::int64_t>(
      100000, [](int i) { return std::int64_t{i} * 128; }, ref_int_hash);
  check_key_spread<std::int64_t>(
      100000, [](int i) { return std::int64_t{i} << 32; }, ref_int_hash);
  check_key_spread<std::int64_t>(
      100000, [](int i) { return -1 - std::int64_t{i} * 1024; }, ref_int_hash);
}

TEST_CASE("100,000 string keys spread evenly over 128 key groups") {
  check_key_spread<std::string>(
      100000, [](int i) { return "key-" + std::to_string(i); }, ref_string_hash);
  check_key_spread<std::string>(
      100000, [](int i) { return "user/" + std::to_string(i) + "/session"; }, ref_string_hash);
  check_key_spread<std::string>(
      100000,
      [](int i) { return std::string(static_cast<std::size_t>(i % 23), 'p') + std::to_string(i); },
      ref_string_hash);
}
