#pragma once
// How a task manager's subtasks keep keyed state: --state-backend, --state-dir,
// --state-memory-mb, --state-cache-entries, and the RocksDB memory every instance of the task manager shares.

#include "sluice/state/ttl.hpp"

#include <cstddef>
#include <memory>
#include <string>

namespace sluice {

enum class state_backend_kind { heap, rocksdb };

/// "heap" or "rocksdb".
const char* to_string(state_backend_kind kind);
/// Parses --state-backend; throws std::invalid_argument naming the value and the choices.
state_backend_kind parse_state_backend(const std::string& name);

/// How RocksDB compacts a state's SST files (--rocksdb-compaction).
/// - universal (the default): size-tiered; recent data is merged with runs of about its size and
///   the oldest, largest run is rewritten only when the rest outgrows it twice over. With
///   incremental checkpoints most checkpoints upload little beyond their new data.
/// - level: leveled, RocksDB's own default, less space and fewer files to read, but with updates
///   spread over the keys (key groups are hashes) every compaction into a level rewrites most of
///   it, and each rewritten file is uploaded by the next incremental checkpoint.
enum class rocksdb_compaction { universal, level };

/// "universal" or "level".
const char* to_string(rocksdb_compaction style);
/// Parses --rocksdb-compaction; throws std::invalid_argument naming the value and the choices.
rocksdb_compaction parse_rocksdb_compaction(const std::string& name);

/// The block cache and write-buffer manager all RocksDB instances of one task manager share,
/// so that however many slots and states there are, RocksDB's memory stays within one budget
/// (defined in rocksdb_shared_resources.cpp; opaque elsewhere).
class rocksdb_shared_resources;

/// Creates the shared cache and write-buffer manager for a budget of `memory_mb` MiB; every
/// instance sharing them compacts in `compaction` style.
std::shared_ptr<rocksdb_shared_resources>
make_rocksdb_shared_resources(std::size_t memory_mb,
                              rocksdb_compaction compaction = rocksdb_compaction::universal);

struct state_backend_config {
  state_backend_kind kind = state_backend_kind::heap;
  /// Where RocksDB instances live (one directory per subtask under it); must be writable.
  std::string state_dir;
  std::size_t memory_mb = 256;
  rocksdb_compaction compaction = rocksdb_compaction::universal;
  /// Entries of the write-back cache in front of each RocksDB value, reducing, aggregating and
  /// list state of a subtask (rocksdb_value_cache.hpp); 0: none.
  std::size_t cache_entries = 65536;
  /// Shared by every RocksDB instance of the task manager; created on first use if null.
  std::shared_ptr<rocksdb_shared_resources> rocksdb_resources;
  /// The clock of TTL; never null.
  const ttl_clock* clock = &system_ttl_clock::instance();
};

/// The default --state-dir: a fresh directory under the system temp dir for this process.
std::string default_state_dir();

} // namespace sluice
