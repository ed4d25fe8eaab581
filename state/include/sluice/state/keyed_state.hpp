#pragma once
// The keyed state a user function sees (Flink's ValueState, ListState, MapState, ReducingState,
// AggregatingState). Every call reads or writes the entry of the current key (the key of the
// element or timer being processed), set by the operator before the function runs. The same
// interfaces are implemented by the heap and the RocksDB backends.

#include <optional>
#include <utility>
#include <vector>

namespace sluice {

/// What every keyed state can do.
class keyed_state_base {
public:
  virtual ~keyed_state_base() = default;
  /// Removes the current key's entry.
  virtual void clear() = 0;
};

template <class T>
class value_state : public keyed_state_base {
public:
  /// The current key's value, or the descriptor's default (nullopt if it has none).
  virtual std::optional<T> value() = 0;
  virtual void update(const T& value) = 0;
};

template <class T>
class list_state : public keyed_state_base {
public:
  /// The current key's elements in the order they were added (empty if none).
  virtual std::vector<T> get() = 0;
  virtual void add(const T& value) = 0;
  virtual void add_all(const std::vector<T>& values) = 0;
  /// Replaces the list (an empty vector clears it).
  virtual void update(const std::vector<T>& values) = 0;
};

template <class UK, class UV>
class map_state : public keyed_state_base {
public:
  virtual std::optional<UV> get(const UK& key) = 0;
  virtual void put(const UK& key, const UV& value) = 0;
  virtual bool contains(const UK& key) = 0;
  virtual void remove(const UK& key) = 0;
  /// The current key's entries, ordered by the byte form of their keys (RocksDB's order; the
  /// heap backend sorts the same way so results never depend on the backend).
  virtual std::vector<std::pair<UK, UV>> entries() = 0;
  virtual bool is_empty() = 0;

  std::vector<UK> keys() {
    std::vector<UK> out;
    for (auto& e : entries())
      out.push_back(std::move(e.first));
    return out;
  }
  std::vector<UV> values() {
    std::vector<UV> out;
    for (auto& e : entries())
      out.push_back(std::move(e.second));
    return out;
  }
};

/// Keeps the reduction of everything added to it.
template <class T>
class reducing_state : public keyed_state_base {
public:
  virtual std::optional<T> get() = 0;
  virtual void add(const T& value) = 0;
};

/// Keeps an accumulator; get() is the aggregate function's result.
template <class In, class Out>
class aggregating_state : public keyed_state_base {
public:
  virtual std::optional<Out> get() = 0;
  virtual void add(const In& value) = 0;
};

} // namespace sluice
