#pragma once
// The text form of records, as the print and text file sinks write them.
//
//   bool                     true / false
//   char                     the character itself
//   other arithmetic types   decimal; floating point in the shortest form that reads back exactly
//   strings                  raw (std::string, std::string_view, const char*)
//   std::pair, std::tuple    the fields joined by ',' (pair<string, int64>{"word", 3} is word,3)
//   std::vector, std::array  [a,b,c]
//   std::optional            the value, or null
//   anything else            its operator<<(std::ostream&, const T&); an enum without one prints
//                            its underlying value

#include "sluice/state/serializer.hpp"

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice {

template <class T>
void write_text(std::string& out, const T& v);

namespace detail {

template <class T>
struct is_tuple_like : std::false_type {};
template <class A, class B>
struct is_tuple_like<std::pair<A, B>> : std::true_type {};
template <class... Ts>
struct is_tuple_like<std::tuple<Ts...>> : std::true_type {};

template <class T>
struct is_list_like : std::false_type {};
template <class T, class A>
struct is_list_like<std::vector<T, A>> : std::true_type {};
template <class T, std::size_t N>
struct is_list_like<std::array<T, N>> : std::true_type {};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T, class = void>
struct has_ostream_operator : std::false_type {};
template <class T>
struct has_ostream_operator<
    T, std::void_t<decltype(std::declval<std::ostream&>() << std::declval<const T&>())>>
    : std::true_type {};

template <class T>
void write_number(std::string& out, T v) {
  char buf[64];
  if constexpr (std::is_integral_v<T>) {
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, res.ptr);
  } else {
#if defined(__cpp_lib_to_chars)
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, res.ptr);
#else
    int n = std::snprintf(buf, sizeof buf, "%.17g", static_cast<double>(v));
    out.append(buf, static_cast<std::size_t>(n));
#endif
  }
}

template <class Tuple, std::size_t... I>
void write_fields(std::string& out, const Tuple& fields, std::index_sequence<I...>) {
  ((out += I == 0 ? "" : ",", write_text(out, std::get<I>(fields))), ...);
}

} // namespace detail

/// Appends the text form of `v` to `out` (see the table at the top of this header).
template <class T>
void write_text(std::string& out, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    out += v ? "true" : "false";
  } else if constexpr (std::is_same_v<T, char>) {
    out += v;
  } else if constexpr (std::is_arithmetic_v<T>) {
    detail::write_number(out, v);
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    out += std::string_view(v);
  } else if constexpr (detail::is_tuple_like<T>::value) {
    detail::write_fields(out, v, std::make_index_sequence<std::tuple_size_v<T>>{});
  } else if constexpr (detail::is_list_like<T>::value) {
    out += '[';
    bool first = true;
    for (const auto& e : v) {
      if (!first)
        out += ',';
      first = false;
      write_text(out, e);
    }
    out += ']';
  } else if constexpr (detail::is_optional<T>::value) {
    if (v)
      write_text(out, *v);
    else
      out += "null";
  } else if constexpr (detail::has_ostream_operator<T>::value) {
    std::ostringstream os;
    os << v;
    out += os.str();
  } else if constexpr (std::is_enum_v<T>) {
    detail::write_number(out, static_cast<std::underlying_type_t<T>>(v));
  } else {
    static_assert(dependent_false<T>::value,
                  "sluice::write_text: this record type has no text form (see the 'T = ...' in "
                  "this instantiation); give it an operator<<(std::ostream&, const T&)");
  }
}

/// The text form of `v` as a new string.
template <class T>
std::string to_text(const T& v) {
  std::string out;
  write_text(out, v);
  return out;
}

} // namespace sluice
