#pragma once
// Operator (non-keyed) state of one operator subtask (Flink's OperatorStateBackend), always on
// the heap: list states redistributed on restore by even split or by union, and broadcast
// states (maps that every subtask holds the same copy of).

#include "sluice/state/keyed_state.hpp"
#include "sluice/state/state_descriptor.hpp"
#include "sluice/state/state_handle.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice {

/// How list state is redistributed when restored at another parallelism.
enum class redistribution {
  even_split, ///< all elements of all old subtasks, split into contiguous even parts
  union_all   ///< every new subtask gets all elements of all old subtasks
};

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

class operator_state_backend {
public:
  /// `owner` names the operator subtask in errors, e.g. "source (1/2)".
  explicit operator_state_backend(std::string owner);
  ~operator_state_backend();
  operator_state_backend(const operator_state_backend&) = delete;
  operator_state_backend& operator=(const operator_state_backend&) = delete;

  /// Operator list state (list_state's get/add/add_all/update/clear, not scoped to a key).
  template <class T>
  list_state<T>& get_list_state(const list_state_descriptor<T>& d,
                                redistribution mode = redistribution::even_split);
  template <class T>
  list_state<T>& get_union_list_state(const list_state_descriptor<T>& d) {
    return get_list_state(d, redistribution::union_all);
  }
  template <class K, class V>
  broadcast_state<K, V>& get_broadcast_state(const map_state_descriptor<K, V>& d);

  /// Synchronous part: serializes every state into memory; the returned function writes the
  /// file `<target_dir>/op-<subtask>-<checkpoint>.state` (may run on another thread).
  std::function<operator_state_handle()> snapshot_sync(std::int64_t checkpoint_id,
                                                       const std::string& target_dir,
                                                       int subtask_index);
  operator_state_handle snapshot(std::int64_t checkpoint_id, const std::string& target_dir,
                                 int subtask_index) {
    return snapshot_sync(checkpoint_id, target_dir, subtask_index)();
  }
  /// Restores from the handles of every subtask of the previous run (any parallelism): list
  /// states by their redistribution, broadcast states from one copy. Call before registering.
  /// Throws state_error naming a corrupt or missing file.
  void restore(const std::vector<operator_state_handle>& all_handles, int subtask_index,
               int parallelism);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace sluice
