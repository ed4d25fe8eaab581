#pragma once
// User structs shared by the state tests, made serializable in each supported way.

#include "sluice/state/serialization.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace test_types {

struct point {
  std::int32_t x = 0;
  std::int32_t y = 0;
  SLUICE_FIELDS(x, y)
  friend bool operator==(const point& a, const point& b) { return a.x == b.x && a.y == b.y; }
  friend bool operator<(const point& a, const point& b) {
    return std::pair(a.x, a.y) < std::pair(b.x, b.y);
  }
};

struct route {
  std::string name;
  point start;
  std::vector<point> stops;
  std::optional<point> detour;
  std::map<std::string, point> landmarks;
  SLUICE_FIELDS(name, start, stops, detour, landmarks)
  friend bool operator==(const route& a, const route& b) {
    return a.name == b.name && a.start == b.start && a.stops == b.stops && a.detour == b.detour &&
           a.landmarks == b.landmarks;
  }
};

/// Fields listed by a free function found by ADL, returning the visitor's result.
struct legacy {
  std::int64_t id = 0;
  std::string label;
  friend bool operator==(const legacy& a, const legacy& b) {
    return a.id == b.id && a.label == b.label;
  }
};

template <class F>
auto sluice_fields(F& f, legacy& x) {
  return f(x.id, x.label);
}

/// An ADL function that returns void: serializable, but its minimum size is unknown (0).
struct opaque {
  std::int32_t v = 0;
  friend bool operator==(const opaque& a, const opaque& b) { return a.v == b.v; }
};

template <class F>
void sluice_fields(F& f, opaque& x) {
  f(x.v);
}

/// Private fields listed by the macro.
class account {
public:
  account() = default;
  account(std::string owner, std::int64_t balance) : owner_(std::move(owner)), balance_(balance) {}
  friend bool operator==(const account& a, const account& b) {
    return a.owner_ == b.owner_ && a.balance_ == b.balance_;
  }

private:
  std::string owner_;
  std::int64_t balance_ = 0;

public:
  SLUICE_FIELDS(owner_, balance_)
};

template <class T>
struct box {
  T value{};
  SLUICE_FIELDS(value)
  friend bool operator==(const box& a, const box& b) { return a.value == b.value; }
};

struct nothing {
  SLUICE_FIELDS()
  friend bool operator==(const nothing&, const nothing&) { return true; }
};

/// Inherits SLUICE_FIELDS without listing its own: must not be serializable as a point.
struct point3 : point {
  std::int32_t z = 0;
};

} // namespace test_types
