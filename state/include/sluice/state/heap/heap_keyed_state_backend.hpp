#pragma once
// The heap keyed state backend: every state lives in per key group hash maps of typed values
// (heap_state_table.hpp), and a full snapshot is one key-group file (key_group_file.hpp) per
// subtask holding, per key group, a block per state and per participant. An incremental one
// writes the blocks of the states and of the participants that track their changes
// (keyed_snapshot_participant::changes) of each key group that changed since the previous one
// as a file of its own into the job's shared directory and references the earlier files of
// the others (heap_shared_key_groups.hpp); the other participants' blocks go to a private
// file. Fast (no
// serialization on access) but bounded by memory, and the synchronous part of a snapshot
// serializes what it writes.

#include "sluice/state/heap/heap_map_state.hpp"
#include "sluice/state/heap/heap_shared_key_groups.hpp"
#include "sluice/state/heap/heap_states.hpp"
#include "sluice/state/keyed_state_backend.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sluice {

namespace detail {

/// The heap state class of a descriptor type: `type` with TTL, `without_ttl` without.
template <class D> struct heap_state_for;
template <class T> struct heap_state_for<value_state_descriptor<T>> {
  using type = heap_value_state<T>;
  using without_ttl = heap_value_state<T, unstamped_traits<T>>;
};
template <class T> struct heap_state_for<list_state_descriptor<T>> {
  using type = heap_list_state<T>;
  using without_ttl = type;
};
template <class UK, class UV> struct heap_state_for<map_state_descriptor<UK, UV>> {
  using type = heap_map_state<UK, UV>;
  using without_ttl = type;
};
template <class T> struct heap_state_for<reducing_state_descriptor<T>> {
  using type = heap_reducing_state<T>;
  using without_ttl = heap_reducing_state<T, unstamped_traits<T>>;
};
template <class In, class Acc, class Out>
struct heap_state_for<aggregating_state_descriptor<In, Acc, Out>> {
  using type = heap_aggregating_state<In, Acc, Out>;
  using without_ttl = heap_aggregating_state<In, Acc, Out, unstamped_traits<Acc>>;
};

} // namespace detail

class heap_keyed_state_backend final : public keyed_state_backend {
public:
  heap_keyed_state_backend(std::string owner, key_group_range range, int max_parallelism,
                           const ttl_clock& clock);

  using keyed_state_backend::snapshot_sync;
  /// Incremental unless `shared_dir` is empty.
  std::function<keyed_state_handle()> snapshot_sync(std::int64_t checkpoint_id,
                                                    const std::string& target_dir,
                                                    const std::string& shared_dir) override;
  void restore(const std::vector<keyed_state_handle>& handles) override;
  void remove_expired() override;

  /// Entries of state `name` held in memory, expired or not: one per key and namespace (a list
  /// or map is one entry). For tests and metrics; throws state_error unless `name` is registered.
  std::size_t stored_entries(const std::string& name) const;

  /// Creates the state `d` describes with the entries restored for it (get_state calls this
  /// through make_heap_state when the name is new).
  template <class D>
  std::unique_ptr<state_interface_t<D>> make_state(const D& d) {
    using states = detail::heap_state_for<D>;
    if (d.ttl.enabled())
      return make_state_as<typename states::type>(d);
    return make_state_as<typename states::without_ttl>(d);
  }

private:
  template <class State, class D>
  std::unique_ptr<state_interface_t<D>> make_state_as(const D& d) {
    auto state = std::make_unique<State>(*this, d);
    auto& table = state->table();
    const auto signature = state_type_signature<D>();
    take_restored(
        d.name, signature,
        [&](int key_group, byte_reader& in) { table.read_key_group(key_group, in); }, true);
    tables_[d.name] = {signature, &table};
    table_list_.push_back(&table);
    return state;
  }

  /// The synchronous part of an incremental snapshot.
  std::function<keyed_state_handle()> snapshot_incremental(std::int64_t checkpoint_id,
                                                           const std::string& target_dir,
                                                           const std::string& shared_dir);
  std::size_t count_entries(const std::string& name) override;
  void prefetch(int key_group, const detail::state_key_view& key) override {
    for (auto* table : table_list_)
      table->prefetch(key_group, key);
  }

  struct table_ref {
    std::string signature;
    detail::heap_state_base* table;
  };
  /// The tables of the registered states (owned by the states), by name.
  std::map<std::string, table_ref> tables_;
  /// The same tables in a vector, for prefetch.
  std::vector<detail::heap_state_base*> table_list_;
  /// What incremental snapshots uploaded (shared with their asynchronous parts).
  std::shared_ptr<heap_shared_key_groups> shared_;
};

template <class D>
std::unique_ptr<state_interface_t<D>> make_heap_state(heap_keyed_state_backend& backend,
                                                      const D& d) {
  return backend.make_state(d);
}

} // namespace sluice
