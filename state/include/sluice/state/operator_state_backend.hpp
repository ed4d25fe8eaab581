#pragma once
// Operator (non-keyed) state of one operator subtask (Flink's OperatorStateBackend), always on
// the heap: list states redistributed on restore by even split or by union, and broadcast
// states (maps that every subtask holds the same copy of).

#include "sluice/state/broadcast_state.hpp"
#include "sluice/state/keyed_state.hpp"
#include "sluice/state/operator_states.hpp"
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
  /// The state registered under `name`: the one registered before (throws state_error unless
  /// `signature` matches), or a new one from `make`, holding the elements restored for it.
  detail::operator_state_base&
  register_state(const std::string& name, const std::string& signature,
                 detail::operator_state_mode mode,
                 const std::function<std::unique_ptr<detail::operator_state_base>()>& make);

  struct impl;
  std::unique_ptr<impl> impl_;
};

template <class T>
list_state<T>& operator_state_backend::get_list_state(const list_state_descriptor<T>& d,
                                                      redistribution mode) {
  const bool even = mode == redistribution::even_split;
  auto& state = register_state(
      d.name, (even ? "even_split " : "union ") + state_type_signature<list_state_descriptor<T>>(),
      even ? detail::operator_state_mode::even_split : detail::operator_state_mode::union_all,
      [] { return std::make_unique<detail::operator_list_state<T>>(); });
  return static_cast<detail::operator_list_state<T>&>(state);
}

template <class K, class V>
broadcast_state<K, V>& operator_state_backend::get_broadcast_state(
    const map_state_descriptor<K, V>& d) {
  auto& state = register_state(
      d.name, "broadcast " + state_type_signature<map_state_descriptor<K, V>>(),
      detail::operator_state_mode::broadcast,
      [] { return std::make_unique<detail::operator_broadcast_state<K, V>>(); });
  return static_cast<detail::operator_broadcast_state<K, V>&>(state);
}

} // namespace sluice
