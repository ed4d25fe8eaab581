#pragma once
// Serializers for standard library types: pair, tuple, optional, array, vector, set, map,
// unordered_set, unordered_map and chrono::duration.
//
// Byte form: pair/tuple/array are their elements in order, with no header; optional is a flag
// byte (0 or 1) followed by the value when present; vector/set/map/unordered_* are a varint
// element count followed by the elements (a map element is its key then its value); duration is
// its count(). Unordered containers are written in iteration order, so two equal unordered
// containers may have different bytes: don't use them inside keys.
//
// Length safety: before allocating, a count is checked against the bytes left in the buffer,
// divided by the element's min_encoded_size_v, so a corrupt count can only make reading fail,
// never allocate more than a small multiple of the input. An element type whose values may encode
// to zero bytes (tuple<>, array<T, 0>, an empty struct, a serializer without min_size) gives no
// such bound, so for those the rule is "at least one byte per element": the reader checks the
// count against the bytes left, and the writer refuses (serialization_error) a container whose
// elements took fewer bytes than their count, since that could not be read back. Containers of
// such types therefore round-trip when their elements carry data, and fail early when they don't.

#include "sluice/state/serializer.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace sluice {
namespace detail {

/// Reads the count of a container whose elements take at least `MinSize` bytes each, bounded by
/// the bytes left in `r` (one byte per element when MinSize is 0).
template <std::size_t MinSize>
std::size_t read_count(byte_reader& r) {
  return r.read_length(MinSize == 0 ? 1 : MinSize);
}

/// Writer half of the one-byte-per-element rule for elements that may encode to nothing.
template <std::size_t MinSize>
void check_count_readable(std::size_t count, std::size_t element_bytes) {
  if constexpr (MinSize == 0) {
    if (element_bytes < count)
      throw serialization_error(std::to_string(count) + " elements took only " +
                                std::to_string(element_bytes) +
                                " bytes; a container needs at least one byte per element");
  }
}

/// Capacity to reserve for `count` elements of T: never more memory than the bytes left to read.
template <class T>
std::size_t bounded_reserve(std::size_t count, const byte_reader& r) {
  return std::min(count, r.remaining() / sizeof(T) + 1);
}

/// True for element types whose byte form is their object representation (memcpy fast path).
template <class T>
inline constexpr bool is_plain_v = std::is_arithmetic_v<T> && !std::is_same_v<T, bool>;

/// Writes a count, then every element of `c` (each at least MinSize bytes) through `write_one`.
template <std::size_t MinSize, class Container, class WriteOne>
void write_counted(byte_writer& w, const Container& c, WriteOne write_one) {
  w.write_varint(c.size());
  auto start = w.size();
  for (const auto& e : c)
    write_one(e);
  check_count_readable<MinSize>(c.size(), w.size() - start);
}

/// Reads `n` set elements, rejecting duplicates (a well-formed set never has any).
template <class Set>
void read_set(byte_reader& r, Set& s, std::size_t n) {
  using key_type = typename Set::key_type;
  for (std::size_t i = 0; i < n; ++i) {
    auto k = deserialize<key_type>(r);
    if (!s.insert(std::move(k)).second)
      throw serialization_error("duplicate element in a serialized set");
  }
}

/// Reads `n` map entries, rejecting duplicate keys (a well-formed map never has any).
template <class Map>
void read_map(byte_reader& r, Map& m, std::size_t n) {
  using key_type = typename Map::key_type;
  using mapped_type = typename Map::mapped_type;
  for (std::size_t i = 0; i < n; ++i) {
    auto k = deserialize<key_type>(r);
    auto v = deserialize<mapped_type>(r);
    if (!m.emplace(std::move(k), std::move(v)).second)
      throw serialization_error("duplicate key in a serialized map");
  }
}

/// Minimum encoded size of a map entry: its key, then its value.
template <class K, class V>
inline constexpr std::size_t entry_min_size_v = min_encoded_size_v<K> + min_encoded_size_v<V>;

} // namespace detail

template <class A, class B>
struct serializer<std::pair<A, B>> {
  static constexpr std::size_t min_size = min_encoded_size_v<A> + min_encoded_size_v<B>;
  static void write(byte_writer& w, const std::pair<A, B>& v) {
    serialize(w, v.first);
    serialize(w, v.second);
  }
  static void read(byte_reader& r, std::pair<A, B>& v) {
    deserialize(r, v.first);
    deserialize(r, v.second);
  }
};

template <class... Ts>
struct serializer<std::tuple<Ts...>> {
  static constexpr std::size_t min_size = (std::size_t{0} + ... + min_encoded_size_v<Ts>);
  static void write(byte_writer& w, const std::tuple<Ts...>& v) {
    std::apply([&](const Ts&... xs) { (serialize(w, xs), ...); }, v);
  }
  static void read(byte_reader& r, std::tuple<Ts...>& v) {
    std::apply([&](Ts&... xs) { (deserialize(r, xs), ...); }, v);
  }
};

template <class T>
struct serializer<std::optional<T>> {
  static constexpr std::size_t min_size = 1;
  static void write(byte_writer& w, const std::optional<T>& v) {
    serialize(w, v.has_value());
    if (v)
      serialize(w, *v);
  }
  static void read(byte_reader& r, std::optional<T>& v) {
    if (deserialize<bool>(r))
      deserialize(r, v.emplace());
    else
      v.reset();
  }
};

template <class T, std::size_t N>
struct serializer<std::array<T, N>> {
  static constexpr std::size_t min_size = N * min_encoded_size_v<T>;
  static void write(byte_writer& w, const std::array<T, N>& v) {
    if constexpr (detail::is_plain_v<T>)
      w.write_bytes(v.data(), N * sizeof(T));
    else
      for (const auto& e : v)
        serialize(w, e);
  }
  static void read(byte_reader& r, std::array<T, N>& v) {
    if constexpr (detail::is_plain_v<T>)
      r.read_bytes(v.data(), N * sizeof(T));
    else
      for (auto& e : v)
        deserialize(r, e);
  }
};

template <class T, class Alloc>
struct serializer<std::vector<T, Alloc>> {
  static constexpr std::size_t min_size = 1;
  static void write(byte_writer& w, const std::vector<T, Alloc>& v) {
    if constexpr (detail::is_plain_v<T>) {
      w.write_varint(v.size());
      w.write_bytes(v.data(), v.size() * sizeof(T));
    } else {
      detail::write_counted<min_encoded_size_v<T>>(w, v, [&w](const T& e) { serialize(w, e); });
    }
  }
  static void read(byte_reader& r, std::vector<T, Alloc>& v) {
    auto n = detail::read_count<min_encoded_size_v<T>>(r);
    v.clear();
    if constexpr (detail::is_plain_v<T>) {
      v.resize(n);
      r.read_bytes(v.data(), n * sizeof(T));
    } else {
      v.reserve(detail::bounded_reserve<T>(n, r));
      for (std::size_t i = 0; i < n; ++i)
        v.push_back(deserialize<T>(r));
    }
  }
};

template <class T, class Compare, class Alloc>
struct serializer<std::set<T, Compare, Alloc>> {
  static constexpr std::size_t min_size = 1;
  static void write(byte_writer& w, const std::set<T, Compare, Alloc>& s) {
    detail::write_counted<min_encoded_size_v<T>>(w, s, [&w](const T& e) { serialize(w, e); });
  }
  static void read(byte_reader& r, std::set<T, Compare, Alloc>& s) {
    auto n = detail::read_count<min_encoded_size_v<T>>(r);
    s.clear();
    detail::read_set(r, s, n);
  }
};

template <class T, class Hash, class Eq, class Alloc>
struct serializer<std::unordered_set<T, Hash, Eq, Alloc>> {
  static constexpr std::size_t min_size = 1;
  static void write(byte_writer& w, const std::unordered_set<T, Hash, Eq, Alloc>& s) {
    detail::write_counted<min_encoded_size_v<T>>(w, s, [&w](const T& e) { serialize(w, e); });
  }
  static void read(byte_reader& r, std::unordered_set<T, Hash, Eq, Alloc>& s) {
    auto n = detail::read_count<min_encoded_size_v<T>>(r);
    s.clear();
    s.reserve(detail::bounded_reserve<T>(n, r));
    detail::read_set(r, s, n);
  }
};

template <class K, class V, class Compare, class Alloc>
struct serializer<std::map<K, V, Compare, Alloc>> {
  static constexpr std::size_t entry_min = detail::entry_min_size_v<K, V>;
  static constexpr std::size_t min_size = 1;
  static void write(byte_writer& w, const std::map<K, V, Compare, Alloc>& m) {
    detail::write_counted<entry_min>(w, m, [&w](const auto& e) {
      serialize(w, e.first);
      serialize(w, e.second);
    });
  }
  static void read(byte_reader& r, std::map<K, V, Compare, Alloc>& m) {
    auto n = detail::read_count<entry_min>(r);
    m.clear();
    detail::read_map(r, m, n);
  }
};

template <class K, class V, class Hash, class Eq, class Alloc>
struct serializer<std::unordered_map<K, V, Hash, Eq, Alloc>> {
  static constexpr std::size_t entry_min = detail::entry_min_size_v<K, V>;
  static constexpr std::size_t min_size = 1;
  static void write(byte_writer& w, const std::unordered_map<K, V, Hash, Eq, Alloc>& m) {
    detail::write_counted<entry_min>(w, m, [&w](const auto& e) {
      serialize(w, e.first);
      serialize(w, e.second);
    });
  }
  static void read(byte_reader& r, std::unordered_map<K, V, Hash, Eq, Alloc>& m) {
    auto n = detail::read_count<entry_min>(r);
    m.clear();
    m.reserve(detail::bounded_reserve<std::pair<K, V>>(n, r));
    detail::read_map(r, m, n);
  }
};

template <class Rep, class Period>
struct serializer<std::chrono::duration<Rep, Period>> {
  static constexpr std::size_t min_size = min_encoded_size_v<Rep>;
  static void write(byte_writer& w, const std::chrono::duration<Rep, Period>& d) {
    serialize(w, d.count());
  }
  static void read(byte_reader& r, std::chrono::duration<Rep, Period>& d) {
    d = std::chrono::duration<Rep, Period>(deserialize<Rep>(r));
  }
};

} // namespace sluice
