#pragma once
// Broadcast state (Flink's BroadcastState): a map every subtask of an operator holds the same
// copy of, written by the broadcast side and read by the other.

#include <optional>
#include <utility>
#include <vector>

namespace sluice {

/// The read side of a broadcast state: what non-broadcast elements may see.
template <class K, class V>
class read_only_broadcast_state {
public:
  virtual ~read_only_broadcast_state() = default;
  virtual std::optional<V> get(const K& key) const = 0;
  virtual bool contains(const K& key) const = 0;
  /// Entries ordered by the byte form of their keys.
  virtual std::vector<std::pair<K, V>> entries() const = 0;
};

/// A broadcast state as the broadcast side sees it: read-write.
template <class K, class V>
class broadcast_state : public read_only_broadcast_state<K, V> {
public:
  virtual void put(const K& key, const V& value) = 0;
  virtual void remove(const K& key) = 0;
  virtual void clear() = 0;
};

} // namespace sluice
