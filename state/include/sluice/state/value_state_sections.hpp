#pragma once
// For an operator that keeps per-key values itself (the rolling reduce on the heap, the window
// operator's accumulators) and joins snapshots as a participant: its sections in the heap form
// of a value (or reducing, aggregating) state without TTL (heap_state_table: varint(n) |
// n × (varint(size) | key [namespace] | stamp 0 | value)), so a snapshot of it restores into a
// state of descriptor D and the same name on either backend, and a snapshot of that state on
// either backend restores into it. The participant registers with signature().
//
// N is the namespace type (void: none); the byte form of an entry's key is then the key's
// followed by the namespace's, as keyed_state_backend::set_current_namespace takes it.

#include "sluice/state/key_group.hpp"
#include "sluice/state/key_hash.hpp"
#include "sluice/state/keyed_state_backend.hpp"

#include <cstdint>
#include <iterator>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice {

template <class K, class V, class D = value_state_descriptor<V>, class N = void>
struct value_state_sections {
  /// The signature of the state these sections have the form of.
  static std::string signature() { return state_type_signature<D>(); }

  /// Writes every (key, value) — (key, namespace, value) if N is not void — that for_each(f)
  /// passes to f into its key group's section, if the snapshot wants that key group.
  template <class ForEach>
  static void write(keyed_snapshot_participant::key_group_sink& out, int max_parallelism,
                    ForEach&& for_each) {
    // Each section starts with its entry count: count first, then write.
    std::map<int, std::size_t> counts;
    for_each(with_namespace([&](const K& key, const auto*, const V&) {
      ++counts[key_group_for_hash(key_hash(key), max_parallelism)];
    }));
    for (auto it = counts.begin(); it != counts.end();)
      it = out.wants(it->first) ? std::next(it) : counts.erase(it);
    std::vector<char> key_bytes;
    for_each(with_namespace([&](const K& key, const auto* ns, const V& value) {
      const int key_group = key_group_for_hash(key_hash(key), max_parallelism);
      auto count = counts.find(key_group);
      if (count == counts.end())
        return;
      byte_writer& w = out.key_group(key_group);
      if (count->second != 0) {
        w.write_varint(count->second);
        count->second = 0;
      }
      key_bytes.clear();
      {
        byte_writer k(key_bytes);
        serialize(k, key);
        if constexpr (!std::is_void_v<N>)
          serialize(k, *ns);
      }
      w.write_varint(key_bytes.size());
      w.write_bytes(key_bytes.data(), key_bytes.size());
      serialize(w, std::int64_t{0});
      serialize(w, value);
    }));
  }

  /// Calls f(key, value) — f(key, namespace, value) if N is not void — on every entry of a
  /// section write() wrote (or the heap backend wrote for a state of descriptor D).
  template <class F>
  static void read(byte_reader& in, F&& f) {
    for (auto n = in.read_length(); n > 0; --n) {
      const auto size = in.read_length();
      byte_reader key_in(in.take(size), size);
      K key = deserialize<K>(key_in);
      if constexpr (std::is_void_v<N>) {
        if (!key_in.at_end())
          throw serialization_error("a value state entry has a namespace");
        deserialize<std::int64_t>(in);
        f(std::move(key), deserialize<V>(in));
      } else {
        N ns = deserialize<N>(key_in);
        if (!key_in.at_end())
          throw serialization_error("a state entry has bytes after its namespace");
        deserialize<std::int64_t>(in);
        f(std::move(key), std::move(ns), deserialize<V>(in));
      }
    }
  }

private:
  /// Adapts for_each's callback shape to g(key, namespace pointer (null without), value).
  template <class G>
  static auto with_namespace(G&& g) {
    if constexpr (std::is_void_v<N>) {
      return [&g](const K& key, const V& value) {
        g(key, static_cast<const int*>(nullptr), value);
      };
    } else {
      return [&g](const K& key, const N& ns, const V& value) { g(key, &ns, value); };
    }
  }
};

} // namespace sluice
