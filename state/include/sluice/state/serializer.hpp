#pragma once
// The serializer trait: how a value of type T becomes bytes and back.
//
// A specialization provides
//   static void write(byte_writer&, const T&);
//   static void read(byte_reader&, T&);
// and optionally
//   static constexpr std::size_t min_size;  // the fewest bytes write() ever produces
//   static std::string_view view(const T&); // the bytes write() produces, without copying
// Containers divide the bytes left in a buffer by their element's min_size to bound a length
// prefix before allocating (see min_encoded_size_v). Without it, 0 ("may be empty") is assumed,
// which is always safe.
// Built-ins cover arithmetic types and std::string here, and the standard containers in
// serializer_std.hpp; user structs use SLUICE_FIELDS (serializer_fields.hpp).

#include "sluice/state/byte_buffer.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace sluice {

template <class T>
struct dependent_false : std::false_type {};

/// Primary template: a type without a serializer is a compile error naming the type.
template <class T, class Enable = void>
struct serializer {
  static_assert(dependent_false<T>::value,
                "sluice: no serializer for this record type (see the 'T = ...' in this "
                "instantiation); list its fields with SLUICE_FIELDS(...) or specialize "
                "sluice::serializer<T>");
  static void write(byte_writer&, const T&) {}
  static void read(byte_reader&, T&) {}
};

/// Arithmetic types: their bytes, in host (little-endian) order. Always inlined, as the
/// byte_writer's and byte_reader's copies: a record of numbers is then a few moves and bounds
/// checks, where calls cost more (bench_windows' source: 5% of its thread in this call).
template <class T>
struct serializer<T, std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, bool>>> {
  static constexpr std::size_t min_size = sizeof(T);
  [[gnu::always_inline]] static void write(byte_writer& w, const T& v) {
    w.write_bytes(&v, sizeof(T));
  }
  [[gnu::always_inline]] static void read(byte_reader& r, T& v) { r.read_bytes(&v, sizeof(T)); }
  static std::string_view view(const T& v) {
    return {reinterpret_cast<const char*>(&v), sizeof(T)};
  }
};

template <>
struct serializer<bool> {
  static constexpr std::size_t min_size = 1;
  static void write(byte_writer& w, const bool& v) {
    char c = v ? 1 : 0;
    w.write_bytes(&c, 1);
  }
  static void read(byte_reader& r, bool& v) {
    char c;
    r.read_bytes(&c, 1);
    if (c != 0 && c != 1)
      throw serialization_error("invalid bool byte " + std::to_string(static_cast<int>(c)));
    v = c == 1;
  }
};

template <>
struct serializer<std::string> {
  static constexpr std::size_t min_size = 1;
  static void write(byte_writer& w, const std::string& v) {
    w.write_varint(v.size());
    w.write_bytes(v.data(), v.size());
  }
  static void read(byte_reader& r, std::string& v) {
    auto n = r.read_length();
    auto p = r.take(n);
    v.assign(p, n);
  }
};

/// The fewest bytes serializer<T>::write ever produces: its `min_size`, or 0 when it declares none.
template <class T, class = void>
struct min_encoded_size : std::integral_constant<std::size_t, 0> {};

template <class T>
struct min_encoded_size<T, std::void_t<decltype(serializer<T>::min_size)>>
    : std::integral_constant<std::size_t, serializer<T>::min_size> {};

template <class T>
inline constexpr std::size_t min_encoded_size_v = min_encoded_size<T>::value;

/// Whether serializer<T> offers view() (its byte form in place, for fixed-size types).
template <class T, class = void>
struct has_byte_view : std::false_type {};

template <class T>
struct has_byte_view<T, std::void_t<decltype(serializer<T>::view(std::declval<const T&>()))>>
    : std::true_type {};

template <class T>
inline constexpr bool has_byte_view_v = has_byte_view<T>::value;

/// Appends the byte form of `v`.
template <class T>
void serialize(byte_writer& w, const T& v) {
  serializer<T>::write(w, v);
}

/// Reads a value written by serialize() into `v`; throws serialization_error on malformed input.
template <class T>
void deserialize(byte_reader& r, T& v) {
  serializer<T>::read(r, v);
}

/// Reads a value-initialized T from `r`.
template <class T>
T deserialize(byte_reader& r) {
  T v{};
  serializer<T>::read(r, v);
  return v;
}

} // namespace sluice
