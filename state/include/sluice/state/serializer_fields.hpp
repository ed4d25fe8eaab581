#pragma once
// Serializers for user structs, from a list of their fields.
//
// Either list the fields inside the struct (preferred):
//
//   struct bid {
//     std::int64_t auction;
//     std::string bidder;
//     double price;
//     SLUICE_FIELDS(auction, bidder, price)
//   };
//
// or, for a type you can't edit, declare a free function in the type's namespace (found by ADL)
// that hands the fields to `f` and returns what `f` returns:
//
//   template <class F>
//   auto sluice_fields(F& f, bid& x) { return f(x.auction, x.bidder, x.price); }
//
// sluice calls it with a visitor that only reads the fields when writing (through a const_cast
// of a const object), and only assigns them when reading. Returning f's result lets sluice see
// the field types at compile time (for the minimum encoded size).
//
// The byte form of a struct is its fields in the listed order, with no header: adding, removing
// or reordering fields changes the format. Nested structs and structs inside containers work.
// A struct that inherits SLUICE_FIELDS from a base without listing its own is a compile error,
// so a derived struct's own fields are never silently dropped.

#include "sluice/state/serializer.hpp"

#include <cstddef>
#include <type_traits>
#include <utility>

/// Inside a struct body: makes the struct serializable as the listed fields, in order.
#define SLUICE_FIELDS(...)                                                                         \
  template <class SluiceVisitor>                                                                   \
  decltype(auto) sluice_visit_fields(SluiceVisitor&& sluice_visitor) {                             \
    return sluice_visitor(__VA_ARGS__);                                                            \
  }                                                                                                \
  template <class SluiceVisitor>                                                                   \
  decltype(auto) sluice_visit_fields(SluiceVisitor&& sluice_visitor) const {                       \
    return sluice_visitor(__VA_ARGS__);                                                            \
  }                                                                                                \
  void sluice_fields_declared_here() const {}

namespace sluice {
namespace detail {

template <class... Ts>
struct type_list {};

/// A visitor that only reports the field types, for use in unevaluated contexts.
struct field_types_probe {
  template <class... Fs>
  type_list<std::remove_cv_t<std::remove_reference_t<Fs>>...> operator()(Fs&&...) const {
    return {};
  }
};

template <class T, class = void>
struct has_member_fields : std::false_type {};

template <class T>
struct has_member_fields<
    T, std::void_t<decltype(std::declval<T&>().sluice_visit_fields(field_types_probe{}))>>
    : std::true_type {};

template <class T, class = void>
struct has_adl_fields : std::false_type {};

template <class T>
struct has_adl_fields<
    T, std::void_t<decltype(sluice_fields(std::declval<field_types_probe&>(), std::declval<T&>()))>>
    : std::true_type {};

/// True for types whose fields are listed by SLUICE_FIELDS or an ADL sluice_fields function.
template <class T>
inline constexpr bool has_fields_v = has_member_fields<T>::value || has_adl_fields<T>::value;

template <class MemberPointer>
struct member_owner;

template <class C>
struct member_owner<void (C::*)() const> {
  using type = C;
};

/// True unless T only inherits SLUICE_FIELDS from a base class.
template <class T>
constexpr bool fields_declared_in_self() {
  if constexpr (has_member_fields<T>::value)
    return std::is_same_v<typename member_owner<decltype(&T::sluice_fields_declared_here)>::type,
                          T>;
  else
    return true;
}

/// Hands the fields of `x` to `f`: the SLUICE_FIELDS member if present, else ADL sluice_fields.
template <class T, class F>
decltype(auto) visit_fields(T& x, F& f) {
  if constexpr (has_member_fields<std::remove_const_t<T>>::value)
    return x.sluice_visit_fields(f);
  else
    return sluice_fields(f, const_cast<std::remove_const_t<T>&>(x));
}

template <class List>
struct list_min_size : std::integral_constant<std::size_t, 0> {};

template <class... Ts>
struct list_min_size<type_list<Ts...>>
    : std::integral_constant<std::size_t, (std::size_t{0} + ... + min_encoded_size_v<Ts>)> {};

/// Sum of the fields' minimum sizes; 0 when the field types are not visible.
template <class T>
constexpr std::size_t fields_min_size() {
  using list = decltype(visit_fields(std::declval<T&>(), std::declval<field_types_probe&>()));
  return list_min_size<std::remove_cv_t<std::remove_reference_t<list>>>::value;
}

} // namespace detail

/// Structs with listed fields: their fields in order.
template <class T>
struct serializer<T, std::enable_if_t<detail::has_fields_v<T>>> {
  static_assert(detail::fields_declared_in_self<T>(),
                "sluice: this struct inherits SLUICE_FIELDS from a base class; list all its "
                "fields (the base's too) with SLUICE_FIELDS in the derived struct");

  static constexpr std::size_t min_size = detail::fields_min_size<T>();

  static void write(byte_writer& w, const T& v) {
    auto write_all = [&](const auto&... fields) { (serialize(w, fields), ...); };
    detail::visit_fields(v, write_all);
  }

  static void read(byte_reader& r, T& v) {
    auto read_all = [&](auto&... fields) { (deserialize(r, fields), ...); };
    detail::visit_fields(v, read_all);
  }
};

} // namespace sluice
