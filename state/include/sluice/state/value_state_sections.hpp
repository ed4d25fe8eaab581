#pragma once
// For an operator that keeps per-key values itself (the rolling reduce on the heap) and joins
// snapshots as a participant: its sections in the heap form of a value state without TTL or
// namespaces (heap_state_table: varint(n) | n × (varint(size) | key | stamp 0 | value)), so a
// snapshot of it restores into a value_state_descriptor<V> of the same name on either backend,
// and a value state snapshot of either backend restores into it. The participant registers
// with signature().

#include "sluice/state/key_group.hpp"
#include "sluice/state/key_hash.hpp"
#include "sluice/state/keyed_state_backend.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace sluice {

template <class K, class V>
struct value_state_sections {
  /// The signature of the value state these sections have the form of.
  static std::string signature() { return state_type_signature<value_state_descriptor<V>>(); }

  /// Writes every (key, value) that for_each(f) passes to f into its key group's section.
  template <class ForEach>
  static void write(keyed_snapshot_participant::key_group_sink& out, int max_parallelism,
                    ForEach&& for_each) {
    // Each section starts with its entry count: count first, then write.
    std::map<int, std::size_t> counts;
    for_each([&](const K& key, const V&) {
      ++counts[key_group_for_hash(key_hash(key), max_parallelism)];
    });
    std::vector<char> key_bytes;
    for_each([&](const K& key, const V& value) {
      const int key_group = key_group_for_hash(key_hash(key), max_parallelism);
      byte_writer& w = out.key_group(key_group);
      auto count = counts.find(key_group);
      if (count->second != 0) {
        w.write_varint(count->second);
        count->second = 0;
      }
      key_bytes.clear();
      {
        byte_writer k(key_bytes);
        serialize(k, key);
      }
      w.write_varint(key_bytes.size());
      w.write_bytes(key_bytes.data(), key_bytes.size());
      serialize(w, std::int64_t{0});
      serialize(w, value);
    });
  }

  /// Calls f(key, value) on every entry of a section write() wrote (or the heap backend wrote
  /// for a value state without namespaces).
  template <class F>
  static void read(byte_reader& in, F&& f) {
    for (auto n = in.read_length(); n > 0; --n) {
      const auto size = in.read_length();
      byte_reader key_in(in.take(size), size);
      K key = deserialize<K>(key_in);
      if (!key_in.at_end())
        throw serialization_error("a value state entry has a namespace");
      deserialize<std::int64_t>(in);
      V value = deserialize<V>(in);
      f(std::move(key), std::move(value));
    }
  }
};

} // namespace sluice
