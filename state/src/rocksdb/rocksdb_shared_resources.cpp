// The memory budget of the RocksDB instances of a task manager, and the options that keep every
// instance within it.
//
// One LRU block cache of the whole budget holds data blocks and also index and filter blocks
// (so they are bounded too, instead of growing with the number of SST files), and the write
// buffer manager charges every memtable to that same cache: memtables and blocks then compete
// for one budget, and the cache evicts blocks as memtables grow. Half of the cache may be
// memtables (Flink's default write-buffer ratio), a tenth is reserved for index and filter blocks.
// What RocksDB allocates outside the cache (table readers, compaction buffers, allocator
// overhead) is kept small by a bound on open files and is given the rest of the budget: the
// cache gets three quarters. (Measured: 10 million keys under a 128 MiB budget kept the cache
// at ~110 MiB and RocksDB's other memory at ~25-40 MiB, so a cache of the whole budget overshot.)

#include "rocksdb_internal.hpp"

#include "sluice/state/rocksdb/rocksdb_keyed_state_backend.hpp"

#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>

namespace sluice {

namespace {

/// RocksDB's own log, errors only, to stderr instead of a LOG file in the instance directory:
/// once a write to that file failed (a full disk), RocksDB's file writer asserts on the next
/// one and aborts the process, where the failed operation's status is the error to report.
class stderr_error_log final : public rocksdb::Logger {
public:
  stderr_error_log() : rocksdb::Logger(rocksdb::InfoLogLevel::ERROR_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    std::fprintf(stderr, "RocksDB: %s\n", line);
  }
};

constexpr std::size_t mib = std::size_t{1} << 20;
constexpr double cache_ratio = 0.75;
constexpr double write_buffer_ratio = 0.5;
constexpr double index_and_filter_ratio = 0.1;
constexpr int max_open_files_per_instance = 256;
/// Universal compaction starts once a column family has this many sorted runs: enough that
/// runs of similar size merge with each other (4 flushes into one, 4 of those into one, ...)
/// rather than every flush with the latest merged run (RocksDB's default of 4 did that:
/// measured, each incremental checkpoint then uploaded all updates since the base run).
constexpr int universal_compaction_trigger = 8;

} // namespace

rocksdb_shared_resources::rocksdb_shared_resources(std::size_t memory_mb,
                                                   rocksdb_compaction compaction)
    : budget_(std::max<std::size_t>(memory_mb, 1) * mib), compaction_(compaction) {
  rocksdb::LRUCacheOptions cache_options;
  cache_options.capacity = static_cast<std::size_t>(static_cast<double>(budget_) * cache_ratio);
  // Not strict: a read must never fail because pinned blocks and memtables fill the cache.
  cache_options.strict_capacity_limit = false;
  cache_options.high_pri_pool_ratio = index_and_filter_ratio;
  cache_ = rocksdb::NewLRUCache(cache_options);
  write_buffers_ = std::make_shared<rocksdb::WriteBufferManager>(
      static_cast<std::size_t>(static_cast<double>(cache_options.capacity) * write_buffer_ratio),
      cache_);
}

std::size_t rocksdb_shared_resources::write_buffer_size() const {
  return std::clamp(budget_ / 16, mib, 32 * mib);
}

std::shared_ptr<rocksdb_shared_resources> make_rocksdb_shared_resources(std::size_t memory_mb,
                                                                        rocksdb_compaction compaction) {
  return std::make_shared<rocksdb_shared_resources>(memory_mb, compaction);
}

std::size_t rocksdb_memory_budget(const rocksdb_shared_resources& resources) {
  return resources.budget_bytes();
}

std::size_t rocksdb_memory_usage(const rocksdb_shared_resources& resources) {
  return resources.cache()->GetUsage();
}

rocksdb_memory_stats rocksdb_memory(const rocksdb_shared_resources& resources) {
  return {resources.cache()->GetUsage(), resources.write_buffers()->memory_usage()};
}

rocksdb::DBOptions make_db_options(const rocksdb_shared_resources& resources) {
  rocksdb::DBOptions o;
  o.create_if_missing = true;
  o.create_missing_column_families = true;
  o.max_open_files = max_open_files_per_instance;
  // Opening reads no more than it must: checkpoints check their files' sizes and checksums
  // themselves, and the statistics skipped only tune level compaction. One thread: the restores
  // of a task manager's subtasks open their instances side by side already.
  o.skip_stats_update_on_db_open = true;
  o.skip_checking_sst_file_sizes_on_db_open = true;
  o.max_file_opening_threads = 1;
  // Two flush threads in the process: the subtasks of a task manager take a checkpoint at the
  // same barrier, and each waits for its memtables' flush (one thread made them wait in turn).
  o.max_background_flushes = 2;
  o.write_buffer_manager = resources.write_buffers();
  // The instance directory is deleted on close, and checkpoints hold the durable copy: flushing
  // memtables on the way out would only cost time.
  o.avoid_flush_during_shutdown = true;
  static const auto log = std::make_shared<stderr_error_log>();
  o.info_log = log;
  o.stats_dump_period_sec = 0;
  o.stats_persist_period_sec = 0;
  return o;
}

rocksdb::ColumnFamilyOptions
make_column_family_options(const rocksdb_shared_resources& resources,
                           std::shared_ptr<rocksdb::MergeOperator> merge,
                           std::shared_ptr<rocksdb::CompactionFilterFactory> filter) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = resources.cache();
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  // Partitioned index and filters: a large SST file's filter is then many small cache blocks
  // instead of one of megabytes, which a small cache would evict and reload on every read.
  // Only the top-level index of each file stays pinned.
  table.index_type = rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.pin_top_level_index_and_filter = true;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.optimize_filters_for_memory = true;

  rocksdb::ColumnFamilyOptions o;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  o.write_buffer_size = resources.write_buffer_size();
  o.max_write_buffer_number = 2;
  if (resources.compaction() == rocksdb_compaction::universal) {
    o.compaction_style = rocksdb::kCompactionStyleUniversal;
    o.level0_file_num_compaction_trigger = universal_compaction_trigger;
    o.level0_slowdown_writes_trigger = universal_compaction_trigger + 20;
    o.level0_stop_writes_trigger = universal_compaction_trigger + 30;
  } else {
    o.level_compaction_dynamic_level_bytes = true;
  }
  o.merge_operator = std::move(merge);
  o.compaction_filter_factory = std::move(filter);
  return o;
}

void check(const rocksdb::Status& s, const std::string& owner, const std::string& what) {
  if (!s.ok())
    throw state_error("operator '" + owner + "': " + what + ": " + s.ToString());
}

} // namespace sluice
