#include "sluice/state/heap/heap_keyed_state_backend.hpp"

#include "sluice/state/key_group_file.hpp"
#include "sluice/state/rocksdb/rocksdb_shared_files.hpp"
#include "sluice/state/shared_state_files.hpp"

#include <algorithm>
#include <utility>

namespace sluice {

heap_keyed_state_backend::heap_keyed_state_backend(std::string owner, key_group_range range,
                                                   int max_parallelism, const ttl_clock& clock)
    : keyed_state_backend(state_backend_kind::heap, std::move(owner), range, max_parallelism,
                          clock),
      shared_(std::make_shared<heap_shared_key_groups>(this->owner(),
                                                       shared_name_prefix(this->owner()), range)) {
  enable_prefetch();
}

std::function<keyed_state_handle()>
heap_keyed_state_backend::snapshot_sync(std::int64_t checkpoint_id, const std::string& target_dir,
                                        const std::string& shared_dir) {
  if (!shared_dir.empty())
    return snapshot_incremental(checkpoint_id, target_dir, shared_dir);
  // Synchronous part (the operator waits): expired entries go, then every state and participant
  // is serialized per key group into memory, so the backend may change as soon as this returns.
  remove_expired();
  const auto range = key_groups();
  auto builder = std::make_shared<key_group_file_builder>(range);
  for (auto& [name, ref] : tables_) {
    for (int key_group = range.first; key_group <= range.last; ++key_group) {
      std::vector<char> bytes;
      if (ref.table->write_key_group(key_group, bytes))
        builder->add(key_group, name, ref.signature, std::move(bytes));
    }
  }
  snapshot_participants(*builder);
  // Asynchronous part (may run on another thread): only writes the bytes captured above.
  return [builder, range, path = snapshot_path(target_dir, checkpoint_id, ".heap")] {
    const auto size = builder->write(path);
    keyed_state_part part{keyed_state_part::format::heap_key_groups, path, range, size};
    return keyed_state_handle{"heap", range, {part}};
  };
}

std::function<keyed_state_handle()> heap_keyed_state_backend::snapshot_incremental(
    std::int64_t checkpoint_id, const std::string& target_dir, const std::string& shared_dir) {
  // Synchronous part: as a full snapshot, but only the key groups that changed since the
  // previous one (in a state or a participant tracking its changes), or have no file in
  // shared_dir, are serialized.
  remove_expired();
  const auto range = key_groups();
  std::vector<std::uint8_t> dirty(static_cast<std::size_t>(range.size()));
  for (auto* table : table_list_)
    table->take_dirty(dirty);
  take_changed_key_groups(dirty);
  auto plan = std::make_shared<heap_shared_key_groups::plan>(
      shared_->plan_snapshot(checkpoint_id, dirty, shared_dir));
  auto states = std::make_shared<key_group_file_builder>(range);
  for (auto& [name, ref] : tables_) {
    for (int key_group = range.first; key_group <= range.last; ++key_group) {
      if (!plan->written[static_cast<std::size_t>(key_group - range.first)])
        continue;
      std::vector<char> bytes;
      if (ref.table->write_key_group(key_group, bytes))
        states->add(key_group, name, ref.signature, std::move(bytes));
    }
  }
  auto private_blocks = std::make_shared<key_group_file_builder>(range);
  snapshot_participants(*private_blocks, states.get(), &plan->written);
  // Asynchronous part: writes the captured key groups into shared_dir and the private file.
  return [shared = shared_, plan, states, private_blocks, range,
          path = snapshot_path(target_dir, checkpoint_id, ".heap")] {
    return keyed_state_handle{
        "heap", range, {shared->upload(*plan, *states, *private_blocks, path)}};
  };
}

void heap_keyed_state_backend::restore(const std::vector<keyed_state_handle>& handles) {
  if (!tables_.empty() || !participants().empty())
    throw state_error("operator '" + owner() +
                      "': restore must run before any state is registered");
  const auto mine = key_groups();
  for (auto& handle : handles) {
    check_handle_backend(handle);
    for (auto& part : handle.parts) {
      if (part.kind == keyed_state_part::format::heap_key_groups ||
          part.kind == keyed_state_part::format::heap_incremental) {
        restore_key_group_part(part);
        // The key groups restored from shared files: unchanged, they are referenced again.
        shared_->seed(part);
        continue;
      }
      // A RocksDB checkpoint: its entries of the key groups owned wait, in RocksDB's form,
      // until their state registers (and declares the key type they need to be converted).
      const key_group_range overlap{std::max(part.range.first, mine.first),
                                    std::min(part.range.last, mine.last)};
      if (overlap.first > overlap.last)
        continue;
      const readable_rocksdb_checkpoint source(owner(), part, default_state_dir());
      read_rocksdb_checkpoint(owner(), source.dir(), overlap,
                              [&](rocksdb_key_group_entries&& entries) {
                                restore_rocksdb_entries(std::move(entries), part.path);
                              });
    }
  }
}

std::size_t heap_keyed_state_backend::count_entries(const std::string& name) {
  return tables_.at(name).table->live_units();
}

std::size_t heap_keyed_state_backend::stored_entries(const std::string& name) const {
  check_registered(name);
  return tables_.at(name).table->stored_entries();
}

void heap_keyed_state_backend::remove_expired() {
  for (auto& [name, ref] : tables_)
    ref.table->remove_expired();
}

} // namespace sluice
