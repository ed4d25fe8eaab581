#pragma once
// The bytes the RocksDB backend stores, shared by the typed states (which write them) and by the
// compaction filter, entry counting and restore (which read them without knowing the types).
//
// Key:   key group (2 bytes, big-endian) | current key bytes | varint(namespace size) | namespace
//        [| map key bytes]
//   The key group comes first and big-endian so that a key-group range is one contiguous range
//   in RocksDB's bytewise order (restore copies or deletes whole ranges). The namespace is
//   length-prefixed so that the entries of one (key, namespace) are exactly the keys starting
//   with that prefix, whatever bytes a namespace holds.
// Value: [stamp: 8 bytes, the write (or read) time in ms, only with TTL] | serialized value
// List:  a concatenation of elements, each varint(payload size) | payload, where a payload is
//   [stamp] | serialized element; appending is a RocksDB merge that concatenates, and every
//   element keeps its own stamp, as in Flink.

#include "sluice/state/byte_buffer.hpp"

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sluice::rocksdb_layout {

inline constexpr std::size_t key_group_bytes = 2;
inline constexpr std::size_t stamp_bytes = 8;

template <class Bytes> void append_key_group(Bytes& out, int key_group) {
  out.push_back(static_cast<char>((key_group >> 8) & 0xff));
  out.push_back(static_cast<char>(key_group & 0xff));
}

/// The first key of `key_group` (`key_group` may be one past the last group, as an end bound).
inline std::string key_group_start(int key_group) {
  std::string out;
  append_key_group(out, key_group);
  return out;
}

template <class Bytes> void append_varint(Bytes& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

template <class Bytes> void append_stamp(Bytes& out, std::int64_t ms) {
  char bytes[stamp_bytes];
  std::memcpy(bytes, &ms, stamp_bytes);
  out.insert(out.end(), bytes, bytes + stamp_bytes);
}

/// The stamp at the front of `payload`; throws serialization_error if it is too short.
inline std::int64_t read_stamp(std::string_view payload) {
  if (payload.size() < stamp_bytes)
    throw serialization_error("a TTL value of " + std::to_string(payload.size()) +
                              " bytes has no 8-byte timestamp");
  std::int64_t ms;
  std::memcpy(&ms, payload.data(), stamp_bytes);
  return ms;
}

/// Overwrites the stamp at the front of a value read with read_stamp.
inline void write_stamp(char* payload, std::int64_t ms) { std::memcpy(payload, &ms, stamp_bytes); }

/// Calls f(payload) for every element of a stored list, in order; throws serialization_error if
/// the list is malformed.
template <class F> void for_each_element(std::string_view list, F&& f) {
  byte_reader in(list.data(), list.size());
  while (!in.at_end()) {
    auto n = in.read_length();
    f(std::string_view(in.take(n), n));
  }
}

/// Appends one element (its length prefix, then `payload`) to a stored list.
template <class Bytes> void append_element(Bytes& list, std::string_view payload) {
  append_varint(list, payload.size());
  list.insert(list.end(), payload.begin(), payload.end());
}

} // namespace sluice::rocksdb_layout
