#pragma once
// Restores across backends: each backend reads the other's snapshot, so every checkpoint and
// savepoint is portable (docs/state-backends.md). Values, list elements and map entries carry the same
// serializer<T> bytes and the same TTL stamps (milliseconds, int64 in host order) in both; what
// differs is around them:
//
//   heap section entry: varint(size) | key bytes | namespace bytes | value, where a value is
//     stamp | T (value, reducing, aggregating), serialize(vector<T>) | serialize(vector<stamp>)
//     (list; no stamps without TTL), varint(n) | n × (stamp | UK | UV) (map);
//   RocksDB entry: key group | key bytes | varint(namespace size) | namespace [| UK] →
//     [stamp] | T, a run of varint(size) | [stamp] | T (list), [stamp] | UV (map entry).
//
// Telling the key's bytes from the namespace's takes the key's type
// (keyed_state_backend::set_key_type). RocksDB → heap is byte-level (the heap restore does it
// as soon as a state registers, whatever its type); heap → RocksDB reads the typed heap values,
// since heap entries follow each other without their values' sizes.

#include "sluice/state/heap/heap_state_traits.hpp"
#include "sluice/state/rocksdb/rocksdb_instance.hpp"
#include "sluice/state/rocksdb/rocksdb_layout.hpp"
#include "sluice/state/state_descriptor.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

/// RocksDB → heap: the heap key-group section of one key group's `entries` of a RocksDB state
/// of `format` (keys without their key group, in key order). `key_size(bytes)` is the size of
/// the key at the front of `bytes`. Throws serialization_error on malformed entries.
std::vector<char>
heap_section_of_rocksdb(rocksdb_column_format format,
                        const std::vector<std::pair<std::string, std::string>>& entries,
                        const std::function<std::size_t(std::string_view)>& key_size);

namespace detail {

/// The RocksDB key of heap entry key `key_and_namespace` in `key_group`, whose key is the first
/// `key_size` bytes.
inline std::string rocksdb_key_of_heap(int key_group, std::string_view key_and_namespace,
                                       std::size_t key_size) {
  std::string out;
  rocksdb_layout::append_key_group(out, key_group);
  out.append(key_and_namespace.substr(0, key_size));
  rocksdb_layout::append_varint(out, key_and_namespace.size() - key_size);
  out.append(key_and_namespace.substr(key_size));
  return out;
}

/// [stamp under TTL] | serialize(v).
template <class T>
std::string rocksdb_value(const T& v, std::int64_t stamp, const ttl_config& ttl) {
  std::vector<char> out;
  if (ttl.enabled())
    rocksdb_layout::append_stamp(out, stamp);
  {
    byte_writer w(out);
    serialize(w, v);
  }
  return {out.begin(), out.end()};
}

/// The RocksDB entry of a heap value, reducing or aggregating state entry's value (stamp | V).
template <class V, class Put>
void put_stamped(byte_reader& in, const std::string& key, const ttl_config& ttl, Put& put) {
  stamped<V> s;
  stamped_traits<V>::read(in, s, ttl);
  put(key, rocksdb_value(s.value, s.stamp, ttl));
}

/// The RocksDB entries of the value of state `D` one heap entry holds.
template <class D, class Put>
void put_heap_value(byte_reader& in, const std::string& key, const ttl_config& ttl, Put& put) {
  if constexpr (D::kind == state_kind::list) {
    stamped_list<typename D::value_type> l;
    list_traits<typename D::value_type>::read(in, l, ttl);
    std::string list;
    for (std::size_t i = 0; i < l.values.size(); ++i)
      rocksdb_layout::append_element(list,
                                     rocksdb_value(l.values[i], ttl.enabled() ? l.stamps[i] : 0, ttl));
    if (!list.empty())
      put(key, list);
  } else if constexpr (D::kind == state_kind::map) {
    typename map_traits<typename D::key_type, typename D::value_type>::stored m;
    map_traits<typename D::key_type, typename D::value_type>::read(in, m, ttl);
    for (auto& [key_bytes, e] : m)
      put(key + key_bytes, rocksdb_value(e.value, e.stamp, ttl));
  } else if constexpr (D::kind == state_kind::aggregating) {
    put_stamped<typename D::accumulator_type>(in, key, ttl, put);
  } else {
    put_stamped<typename D::value_type>(in, key, ttl, put);
  }
}

/// Heap → RocksDB: calls put(key, value) with the RocksDB entries of one heap key-group section
/// of state `D` (TTL `ttl`) of `key_group`. `key_size(bytes)` is the size of the key at the
/// front of `bytes`. Throws serialization_error on a malformed section.
template <class D, class KeySize, class Put>
void import_heap_section(byte_reader& in, int key_group, const ttl_config& ttl,
                         KeySize&& key_size, Put&& put) {
  for (auto n = in.read_length(); n > 0; --n) {
    const auto size = in.read_length();
    const std::string_view key_and_namespace(in.take(size), size);
    const auto key = rocksdb_key_of_heap(key_group, key_and_namespace, key_size(key_and_namespace));
    put_heap_value<D>(in, key, ttl, put);
  }
}

} // namespace detail
} // namespace sluice
