#pragma once
// The RocksDB keyed state backend: one RocksDB instance per operator subtask, in a fresh
// directory under the state dir, with a column family per state. State lives on disk and in a
// block cache shared by every instance of the task manager (rocksdb_shared_resources), so a
// subtask can hold far more keys than fit in memory. Snapshots are native RocksDB checkpoints,
// full or incremental (only the SST files not uploaded before are written, into the job's
// shared directory: rocksdb_shared_files); restore takes a whole checkpoint over when it covers the subtask's key groups, and otherwise
// copies the key groups owned out of every checkpoint that holds some (rescaling).

#include "sluice/state/cross_backend.hpp"
#include "sluice/state/keyed_state_backend.hpp"
#include "sluice/state/rocksdb/rocksdb_instance.hpp"
#include "sluice/state/rocksdb/rocksdb_list_map_states.hpp"
#include "sluice/state/rocksdb/rocksdb_shared_files.hpp"
#include "sluice/state/rocksdb/rocksdb_states.hpp"

#include <cstddef>
#include <memory>
#include <string>

namespace sluice {

/// The memory budget of the instances sharing `resources`, in bytes: the block cache's
/// capacity, which memtables are charged to as well.
std::size_t rocksdb_memory_budget(const rocksdb_shared_resources& resources);
/// Bytes now charged to the shared cache (blocks and memtables of every instance sharing it).
std::size_t rocksdb_memory_usage(const rocksdb_shared_resources& resources);

/// What the instances sharing `resources` hold in memory, as RocksDB's properties say.
struct rocksdb_memory_stats {
  /// rocksdb.block-cache-usage of the shared cache: data, index and filter blocks, and the
  /// memtables the write buffer manager charges to it.
  std::size_t block_cache_bytes = 0;
  /// rocksdb.cur-size-all-mem-tables summed over the instances (the write buffer manager's count).
  std::size_t memtable_bytes = 0;
};
rocksdb_memory_stats rocksdb_memory(const rocksdb_shared_resources& resources);

class rocksdb_keyed_state_backend final : public keyed_state_backend {
public:
  /// A fresh instance in a new directory under config.state_dir (created with its parents;
  /// RocksDB opens it at first use, or opens what restore puts there), sharing
  /// config.rocksdb_resources; if that is null, the backend creates resources
  /// of config.memory_mb for itself alone. Callers that run several subtasks must create one
  /// resources object (make_rocksdb_shared_resources) and put it in the config of every backend,
  /// or each gets its own budget. Throws state_error naming the dir if it cannot be created.
  rocksdb_keyed_state_backend(const state_backend_config& config, std::string owner,
                              key_group_range range, int max_parallelism);
  /// Closes the instance and removes its directory (snapshots are elsewhere).
  ~rocksdb_keyed_state_backend() override;

  using keyed_state_backend::snapshot_sync;
  /// With `shared_dir`, incremental: the SST files this backend uploaded before (or restored
  /// from a snapshot whose shared files lie in `shared_dir`) are referenced, the others copied
  /// into `shared_dir`.
  std::function<keyed_state_handle()> snapshot_sync(std::int64_t checkpoint_id,
                                                    const std::string& target_dir,
                                                    const std::string& shared_dir) override;
  void restore(const std::vector<keyed_state_handle>& handles) override;
  void restore_local(const local_keyed_copy& copy) override;
  void remove_expired() override;
  /// Writes the moving key groups into SST files (rocksdb_instance::prepare_moves) under the
  /// scratch dir; a successor's restore ingests them from `moves/<first>-<last>/` beside the
  /// RocksDB checkpoint it restores (where the rescale's hand-off copy puts them). With none
  /// to move, the value caches still write back as they go (rocksdb_instance::handing_off).
  std::shared_future<void> prepare_handoff(int parallelism, int new_parallelism) override;
  std::string finish_handoff() override { return db_->finish_moves(); }
  void cancel_handoff() override { db_->cancel_moves(); }

  int restored_from_moves() const override { return restored_from_moves_; }
  /// Old subtasks' key groups this backend's restore copied entry by entry out of their
  /// checkpoints.
  int restored_by_copying() const { return restored_by_copying_; }

  /// The directory of this subtask's instance.
  const std::string& instance_dir() const { return db_->dir(); }
  const rocksdb_shared_resources& shared_resources() const { return *resources_; }

  /// The column family of the state `d` describes (created, or attached to a restored one),
  /// holding the entries restored for it from heap key-group files.
  template <class D> detail::rocksdb_state_context state_context(const D& d) {
    const auto signature = state_type_signature<D>();
    const int cf = db_->column_family(d.name, signature, {D::kind, d.ttl.ttl_ms});
    take_restored(d.name, signature, [&](int key_group, byte_reader& in) {
      detail::import_heap_section<D>(
          in, key_group, d.ttl, [&](std::string_view key) { return key_size(key, d.name); },
          [&](std::string_view key, std::string_view value) { db_->put(cf, key, value); });
    });
    return {*this, *db_, cf, cache_entries_};
  }

private:
  std::size_t count_entries(const std::string& name) override;
  /// Beside the instance's directory: local checkpoints on their way to the shared directory,
  /// incremental checkpoints put back together for a restore (removed with the backend).
  std::string scratch_dir() const;

  std::shared_ptr<rocksdb_shared_resources> resources_;
  std::shared_ptr<rocksdb_shared_files> shared_files_;
  std::unique_ptr<rocksdb_instance> db_;
  std::size_t cache_entries_;
  int restored_from_moves_ = 0;
  int restored_by_copying_ = 0;
};

/// A RocksDB state of the kind `d` describes.
template <class D>
std::unique_ptr<state_interface_t<D>> make_rocksdb_state(rocksdb_keyed_state_backend& backend,
                                                         const D& d) {
  const auto context = backend.state_context(d);
  if constexpr (D::kind == state_kind::value)
    return std::make_unique<detail::rocksdb_value_state<typename D::value_type>>(context, d);
  else if constexpr (D::kind == state_kind::list)
    return std::make_unique<detail::rocksdb_list_state<typename D::value_type>>(context, d);
  else if constexpr (D::kind == state_kind::map)
    return std::make_unique<
        detail::rocksdb_map_state<typename D::key_type, typename D::value_type>>(context, d);
  else if constexpr (D::kind == state_kind::reducing)
    return std::make_unique<detail::rocksdb_reducing_state<typename D::value_type>>(context, d);
  else
    return std::make_unique<detail::rocksdb_aggregating_state<
        typename D::input_type, typename D::accumulator_type, typename D::output_type>>(context, d);
}

} // namespace sluice
