#pragma once
// RocksDB-typed pieces of the RocksDB backend shared by its .cpp files (never installed: public
// headers must not include RocksDB).

#include "sluice/state/keyed_state_backend.hpp"
#include "sluice/state/rocksdb/rocksdb_instance.hpp"

#include <rocksdb/cache.h>
#include <rocksdb/compaction_filter.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/options.h>
#include <rocksdb/status.h>
#include <rocksdb/write_buffer_manager.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sluice {

class rocksdb_shared_resources {
public:
  rocksdb_shared_resources(std::size_t memory_mb, rocksdb_compaction compaction);

  std::size_t budget_bytes() const { return budget_; }
  rocksdb_compaction compaction() const { return compaction_; }
  /// Bytes of every state's data and index blocks and every memtable of every instance sharing
  /// this cache, since the write buffer manager charges memtables to it.
  const std::shared_ptr<rocksdb::Cache>& cache() const { return cache_; }
  const std::shared_ptr<rocksdb::WriteBufferManager>& write_buffers() const {
    return write_buffers_;
  }
  /// The memtable size of one column family: small against the budget, since every state of
  /// every instance has one.
  std::size_t write_buffer_size() const;

private:
  std::size_t budget_;
  rocksdb_compaction compaction_;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::shared_ptr<rocksdb::WriteBufferManager> write_buffers_;
};

/// The format of each column family by id, read by compaction threads and written when states
/// register (thread-safe).
class column_format_table {
public:
  void set(std::uint32_t cf_id, rocksdb_column_format format);
  /// The format of `cf_id`; value state without TTL if unknown.
  rocksdb_column_format get(std::uint32_t cf_id) const;

private:
  mutable std::mutex mutex_;
  std::unordered_map<std::uint32_t, rocksdb_column_format> formats_;
};

/// Live (unexpired at `now_ms`) entries in one stored value of a column family of `format`:
/// 0 or 1 for a value or a map entry, the live elements for a list. Throws serialization_error
/// if the value is malformed.
std::size_t live_entries(rocksdb_column_format format, std::string_view value, std::int64_t now_ms);

/// Appends to lists: concatenates the stored list and every operand (each a run of
/// length-prefixed elements, see rocksdb_layout.hpp).
std::shared_ptr<rocksdb::MergeOperator> make_list_concat_operator();

/// Drops expired values and list elements during compactions, per the column family's format.
std::shared_ptr<rocksdb::CompactionFilterFactory>
make_ttl_filter_factory(std::shared_ptr<const column_format_table> formats, const ttl_clock& clock);

/// Database options: bounded open files, the shared write buffer manager.
rocksdb::DBOptions make_db_options(const rocksdb_shared_resources& resources);
/// Column family options: blocks, index and filters in the shared cache, the list merge
/// operator and the TTL filter.
rocksdb::ColumnFamilyOptions
make_column_family_options(const rocksdb_shared_resources& resources,
                           std::shared_ptr<rocksdb::MergeOperator> merge,
                           std::shared_ptr<rocksdb::CompactionFilterFactory> filter);

/// Throws a state_error "operator '<owner>': <what>: <status>" unless `s` is ok.
void check(const rocksdb::Status& s, const std::string& owner, const std::string& what);

} // namespace sluice
