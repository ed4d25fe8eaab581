#pragma once
// What a heap state stores per key (and namespace), and how heap_state_table treats it: when it
// has expired, how many live units it counts, and its byte form in snapshots (with the TTL
// stamps, so expiry carries over a restore).
//
// - stamped_traits: one value with one stamp (value, reducing and aggregating states with TTL);
//   unstamped_traits: the same without the stamp, when TTL is off.
// - list_traits: a list with one stamp per element (Flink's TtlListState), and none when TTL is
//   off; elements expire one by one, the per-key entry once all have.
// - map_traits: a map ordered by the byte form of its user keys (RocksDB's order), one stamp per
//   user key; the per-key entry itself never expires, its user entries do.

#include "sluice/state/serialization.hpp"
#include "sluice/state/ttl.hpp"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace sluice::detail {

template <class T>
struct stamped {
  T value{};
  std::int64_t stamp = 0;
};

template <class T>
struct stamped_traits {
  using stored = stamped<T>;
  static constexpr bool has_stamp = true;

  static bool expired(const stored& s, const ttl_config& ttl, std::int64_t now) {
    return ttl.expired(s.stamp, now);
  }
  /// Whether the entry is dead now (and may be removed).
  static bool prune(stored& s, const ttl_config& ttl, std::int64_t now) {
    return expired(s, ttl, now);
  }
  static std::size_t live_units(const stored& s, const ttl_config& ttl, std::int64_t now) {
    return expired(s, ttl, now) ? 0 : 1;
  }
  static void write(byte_writer& w, const stored& s) {
    serialize(w, s.stamp);
    serialize(w, s.value);
  }
  static void read(byte_reader& r, stored& s, const ttl_config&) {
    deserialize(r, s.stamp);
    deserialize(r, s.value);
  }
};

/// A value without a stamp, for states without TTL (half the size of stamped<T> for 8-byte T).
template <class T>
struct unstamped {
  T value{};
};

/// stamped_traits for states without TTL: nothing expires; the byte form is stamped_traits'
/// with stamp 0, so snapshots restore into states with or without TTL alike.
template <class T>
struct unstamped_traits {
  using stored = unstamped<T>;
  static constexpr bool has_stamp = false;

  static bool expired(const stored&, const ttl_config&, std::int64_t) { return false; }
  static bool prune(stored&, const ttl_config&, std::int64_t) { return false; }
  static std::size_t live_units(const stored&, const ttl_config&, std::int64_t) { return 1; }
  static void write(byte_writer& w, const stored& s) {
    serialize(w, std::int64_t{0});
    serialize(w, s.value);
  }
  static void read(byte_reader& r, stored& s, const ttl_config&) {
    std::int64_t stamp = 0;
    deserialize(r, stamp);
    deserialize(r, s.value);
  }
};

template <class T>
struct stamped_list {
  std::vector<T> values;
  std::vector<std::int64_t> stamps; ///< one per value when TTL is on, else empty
};

template <class T>
struct list_traits {
  using stored = stamped_list<T>;
  static constexpr bool has_stamp = false;

  /// The list state checks each element as it meets it.
  static bool expired(const stored&, const ttl_config&, std::int64_t) { return false; }
  /// Removes the expired elements; the list is dead once empty.
  static bool prune(stored& l, const ttl_config& ttl, std::int64_t now) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < l.stamps.size(); ++i) {
      if (ttl.expired(l.stamps[i], now))
        continue;
      if (kept != i) {
        l.values[kept] = std::move(l.values[i]);
        l.stamps[kept] = l.stamps[i];
      }
      ++kept;
    }
    if (kept != l.stamps.size()) {
      l.values.erase(l.values.begin() + static_cast<std::ptrdiff_t>(kept), l.values.end());
      l.stamps.resize(kept);
    }
    return l.values.empty();
  }
  static std::size_t live_units(const stored& l, const ttl_config& ttl, std::int64_t now) {
    if (!ttl.enabled())
      return l.values.size();
    std::size_t n = 0;
    for (auto stamp : l.stamps)
      n += ttl.expired(stamp, now) ? 0 : 1;
    return n;
  }
  static void write(byte_writer& w, const stored& l) {
    serialize(w, l.values);
    serialize(w, l.stamps);
  }
  /// Stamps follow the state's TTL: none without; 0 (expired) for elements snapshot without.
  static void read(byte_reader& r, stored& l, const ttl_config& ttl) {
    deserialize(r, l.values);
    deserialize(r, l.stamps);
    if (!ttl.enabled())
      l.stamps.clear();
    else if (l.stamps.empty())
      l.stamps.assign(l.values.size(), 0);
    else if (l.stamps.size() != l.values.size())
      throw serialization_error("a list of " + std::to_string(l.values.size()) +
                                " elements with " + std::to_string(l.stamps.size()) + " stamps");
  }
};

template <class UK, class UV>
struct map_entry {
  UK key{};
  UV value{};
  std::int64_t stamp = 0;
};

template <class UK, class UV>
struct map_traits {
  /// Byte form of the user key → entry.
  using stored = std::map<std::string, map_entry<UK, UV>>;
  static constexpr bool has_stamp = false;

  /// The map state checks each user entry as it meets it.
  static bool expired(const stored&, const ttl_config&, std::int64_t) { return false; }
  /// Removes the expired user entries; the map is dead once empty.
  static bool prune(stored& m, const ttl_config& ttl, std::int64_t now) {
    for (auto it = m.begin(); it != m.end();)
      it = ttl.expired(it->second.stamp, now) ? m.erase(it) : std::next(it);
    return m.empty();
  }
  static std::size_t live_units(const stored& m, const ttl_config& ttl, std::int64_t now) {
    std::size_t n = 0;
    for (auto& [bytes, e] : m)
      n += ttl.expired(e.stamp, now) ? 0 : 1;
    return n;
  }
  static void write(byte_writer& w, const stored& m) {
    w.write_varint(m.size());
    for (auto& [bytes, e] : m) {
      serialize(w, e.stamp);
      serialize(w, e.key);
      serialize(w, e.value);
    }
  }
  static void read(byte_reader& r, stored& m, const ttl_config&) {
    for (auto n = r.read_length(); n > 0; --n) {
      map_entry<UK, UV> e;
      deserialize(r, e.stamp);
      deserialize(r, e.key);
      deserialize(r, e.value);
      auto bytes = to_bytes(e.key);
      m.insert_or_assign(std::string(bytes.begin(), bytes.end()), std::move(e));
    }
  }
};

} // namespace sluice::detail
