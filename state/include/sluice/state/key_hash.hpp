#pragma once
// key_hash: the hash that decides which key group, and so which subtask and process, holds a key.
// It must give the same value in every process and on every machine, so it never uses std::hash.
// Changing anything below moves keys between key groups and breaks restoring keyed state.
//
// - Integral types (bool and chars too): fmix64(std::uint64_t(v)). Signed values are
//   sign-extended, so equal values of different widths hash alike.
// - float, double: the value as a double, with -0.0 as 0.0 and every NaN as the quiet NaN
//   0x7ff8000000000000, then fmix64 of its IEEE-754 bits. long double is not a valid key.
// - std::string, std::string_view: hash_bytes of the characters (so both hash alike).
// - Any other serializable type: hash_bytes of its byte form (serialization.hpp).
//
// fmix64 is MurmurHash3's 64-bit finalizer:
//   h ^= h >> 33; h *= 0xff51afd7ed558ccd; h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53; h ^= h >> 33
// hash_bytes(p, n) is MurmurHash64A (Austin Appleby, public domain) with seed 0, then fmix64:
//   m = 0xc6a4a7935bd1e995; h = n * m
//   each 8-byte block k, read little-endian: k *= m; k ^= k >> 47; k *= m; h ^= k; h *= m
//   if 1..7 bytes remain: h ^= their little-endian value; h *= m
//   h ^= h >> 47; h *= m; h ^= h >> 47; result fmix64(h)
// All arithmetic is modulo 2^64. Like the byte form of values, this assumes a little-endian host.

#include "sluice/state/key_group.hpp"
#include "sluice/state/serialization.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "sluice: key_hash and the byte form of values assume a little-endian host"
#endif

namespace sluice {

/// MurmurHash3's 64-bit finalizer: a bijection on 64-bit values with full avalanche.
constexpr std::uint64_t fmix64(std::uint64_t h) noexcept {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

/// The stable 64-bit hash of `n` bytes (MurmurHash64A, seed 0, then fmix64).
inline std::uint64_t hash_bytes(const void* data, std::size_t n) noexcept {
  constexpr std::uint64_t m = 0xc6a4a7935bd1e995ULL;
  constexpr int r = 47;
  auto p = static_cast<const unsigned char*>(data);
  std::uint64_t h = static_cast<std::uint64_t>(n) * m;
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t k;
    std::memcpy(&k, p, 8);
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  if (n != 0) {
    std::uint64_t tail = 0;
    for (std::size_t i = 0; i < n; ++i)
      tail |= std::uint64_t{p[i]} << (8 * i);
    h ^= tail;
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return fmix64(h);
}

namespace detail {

inline std::uint64_t hash_double(double d) noexcept {
  if (d == 0.0)
    d = 0.0;
  else if (std::isnan(d))
    d = std::numeric_limits<double>::quiet_NaN();
  std::uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return fmix64(bits);
}

/// Per-thread buffer for the byte form of composite keys.
inline std::vector<char>& key_scratch() {
  thread_local std::vector<char> buf;
  return buf;
}

/// Gives back the scratch bytes appended since construction, also when serialization throws.
class scratch_mark {
public:
  explicit scratch_mark(std::vector<char>& buf) : buf_(buf), start_(buf.size()) {}
  scratch_mark(const scratch_mark&) = delete;
  scratch_mark& operator=(const scratch_mark&) = delete;
  ~scratch_mark() { buf_.resize(start_); }

  std::size_t start() const { return start_; }

private:
  std::vector<char>& buf_;
  std::size_t start_;
};

} // namespace detail

/// The stable hash of a key; see the top of this header for the exact algorithm.
template <class K>
std::uint64_t key_hash(const K& key) {
  if constexpr (std::is_integral_v<K>) {
    return fmix64(static_cast<std::uint64_t>(key));
  } else if constexpr (std::is_floating_point_v<K>) {
    static_assert(!std::is_same_v<K, long double>,
                  "sluice: long double has no portable byte form and cannot be a key");
    return detail::hash_double(static_cast<double>(key));
  } else if constexpr (std::is_same_v<K, std::string> || std::is_same_v<K, std::string_view>) {
    return hash_bytes(key.data(), key.size());
  } else {
    auto& buf = detail::key_scratch();
    detail::scratch_mark mark(buf);
    {
      byte_writer w(buf);
      serialize(w, key);
    }
    return hash_bytes(buf.data() + mark.start(), buf.size() - mark.start());
  }
}

/// The key group of `key`: key_hash(key) % max_parallelism.
template <class K>
int key_group_of(const K& key, int max_parallelism) {
  return key_group_for_hash(key_hash(key), max_parallelism);
}

} // namespace sluice
