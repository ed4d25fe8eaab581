#pragma once
// What a heap state stores per key (and namespace), and how heap_state_table treats it: when it
// has expired, how many live units it counts, and its byte form in snapshots (with the TTL
// stamps, so expiry carries over a restore).
//
// - stamped_traits: one value with one stamp. Value, reducing and aggregating states count one
//   unit; a list state (CountElements) counts its elements, and its whole list expires at once.
// - map_traits: a map ordered by the byte form of its user keys (RocksDB's order), one stamp per
//   user key; the per-key entry itself never expires, its user entries do.

#include "sluice/state/serialization.hpp"
#include "sluice/state/ttl.hpp"

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <string>

namespace sluice::detail {

template <class T>
struct stamped {
  T value{};
  std::int64_t stamp = 0;
};

template <class T, bool CountElements>
struct stamped_traits {
  using stored = stamped<T>;

  static bool expired(const stored& s, const ttl_config& ttl, std::int64_t now) {
    return ttl.expired(s.stamp, now);
  }
  /// Whether the entry is dead now (and may be removed).
  static bool prune(stored& s, const ttl_config& ttl, std::int64_t now) {
    return expired(s, ttl, now);
  }
  static std::size_t live_units(const stored& s, const ttl_config& ttl, std::int64_t now) {
    if (expired(s, ttl, now))
      return 0;
    if constexpr (CountElements)
      return s.value.size();
    else
      return 1;
  }
  static void write(byte_writer& w, const stored& s) {
    serialize(w, s.stamp);
    serialize(w, s.value);
  }
  static void read(byte_reader& r, stored& s) {
    deserialize(r, s.stamp);
    deserialize(r, s.value);
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
  static void read(byte_reader& r, stored& m) {
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
