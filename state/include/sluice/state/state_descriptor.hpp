#pragma once
// State descriptors (Flink's StateDescriptor): the name a function registers a state under, the
// value types (their serializers come from serializer<T>), an optional default and an optional
// TTL. A name identifies one state of an operator: registering it again with another kind or
// type is an error naming the operator and the state.

#include "sluice/state/serialization.hpp"
#include "sluice/state/ttl.hpp"

#include <functional>
#include <optional>
#include <string>
#include <typeinfo>
#include <utility>

namespace sluice {

enum class state_kind { value, list, map, reducing, aggregating };

/// "value", "list", ... as in error messages.
const char* to_string(state_kind kind);

/// What every descriptor has.
struct state_descriptor_base {
  std::string name;
  ttl_config ttl;
};

template <class T>
struct value_state_descriptor : state_descriptor_base {
  using value_type = T;
  static constexpr state_kind kind = state_kind::value;
  /// Returned by value() when the current key has no value.
  std::optional<T> default_value;

  explicit value_state_descriptor(std::string n, std::optional<T> def = std::nullopt,
                                  ttl_config t = {})
      : state_descriptor_base{std::move(n), t}, default_value(std::move(def)) {}
};

template <class T>
struct list_state_descriptor : state_descriptor_base {
  using value_type = T;
  static constexpr state_kind kind = state_kind::list;
  explicit list_state_descriptor(std::string n, ttl_config t = {})
      : state_descriptor_base{std::move(n), t} {}
};

template <class UK, class UV>
struct map_state_descriptor : state_descriptor_base {
  using key_type = UK;
  using value_type = UV;
  static constexpr state_kind kind = state_kind::map;
  explicit map_state_descriptor(std::string n, ttl_config t = {})
      : state_descriptor_base{std::move(n), t} {}
};

template <class T>
struct reducing_state_descriptor : state_descriptor_base {
  using value_type = T;
  static constexpr state_kind kind = state_kind::reducing;
  std::function<T(const T&, const T&)> reduce;
  reducing_state_descriptor(std::string n, std::function<T(const T&, const T&)> f,
                            ttl_config t = {})
      : state_descriptor_base{std::move(n), t}, reduce(std::move(f)) {}
};

/// Flink's AggregateFunction as a set of functions.
template <class In, class Acc, class Out>
struct aggregate_functions {
  std::function<Acc()> create_accumulator;
  std::function<Acc(Acc&&, const In&)> add;
  std::function<Out(const Acc&)> get_result;
};

template <class In, class Acc, class Out>
struct aggregating_state_descriptor : state_descriptor_base {
  using input_type = In;
  using accumulator_type = Acc;
  using output_type = Out;
  static constexpr state_kind kind = state_kind::aggregating;
  aggregate_functions<In, Acc, Out> functions;
  aggregating_state_descriptor(std::string n, aggregate_functions<In, Acc, Out> f,
                               ttl_config t = {})
      : state_descriptor_base{std::move(n), t}, functions(std::move(f)) {}
};

/// A signature of a descriptor's kind and types, compared when a name is registered twice
/// (and stored in snapshots): "kind:" and the types' typeid names, comma-separated.
template <class D>
std::string state_type_signature() {
  std::string s = to_string(D::kind);
  s += ':';
  if constexpr (D::kind == state_kind::map) {
    s += typeid(typename D::key_type).name();
    s += ',';
    s += typeid(typename D::value_type).name();
  } else if constexpr (D::kind == state_kind::aggregating) {
    s += typeid(typename D::input_type).name();
    s += ',';
    s += typeid(typename D::accumulator_type).name();
    s += ',';
    s += typeid(typename D::output_type).name();
  } else {
    s += typeid(typename D::value_type).name();
  }
  return s;
}

/// `signature` (of state_type_signature) for error messages: the type names demangled.
std::string readable_signature(const std::string& signature);

} // namespace sluice
