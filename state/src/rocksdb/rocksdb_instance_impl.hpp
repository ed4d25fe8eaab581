#pragma once
// The inside of rocksdb_instance, shared by rocksdb_instance.cpp (reads and writes) and
// rocksdb_instance_checkpoint.cpp (checkpoints and restores).

#include "rocksdb_internal.hpp"

#include <rocksdb/db.h>
#include <rocksdb/sst_file_writer.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

struct rocksdb_instance::impl {
  /// A column family: the default one holds the states' metadata, each other one a state.
  struct column {
    std::string state; ///< empty for the default column family
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    rocksdb_column_format format;
    bool attached = false; ///< a state of this run uses it
  };

  impl(std::string owner, std::string dir, std::shared_ptr<rocksdb_shared_resources> resources,
       const ttl_clock& clock);
  ~impl() { close(); }

  /// Opens `dir` with the column families it holds; `source` names what is opened in errors.
  void open(const std::string& source);
  void close();

  /// The column family of `state`, or -1.
  int find(const std::string& state) const;
  /// Creates the column family of `state`.
  int create(const std::string& state);
  /// Reads the metadata of column family `cf` into its format; false if it has none.
  bool load_format(int cf, std::string* signature);
  /// The options of a column family; `with_filter` adds the TTL filter.
  rocksdb::ColumnFamilyOptions column_options(bool with_filter) const;
  /// Copies the entries of key groups `range` of column family `from` of `source` into column
  /// family `cf` through SST files written beside the instance and ingested (moved in): no
  /// memtable, no flush. The range is split by key group into as many parts as there are
  /// cores, each written by a thread of its own. `what` names the source in errors.
  void ingest(int cf, rocksdb::DB& source, rocksdb::ColumnFamilyHandle* from,
              key_group_range range, const std::string& what);
  /// "state 'x'" or "directory 'd'", as errors name what failed.
  std::string what(int cf) const;

  std::string owner;
  std::string dir;
  std::shared_ptr<rocksdb_shared_resources> resources;
  const ttl_clock& clock;
  std::shared_ptr<column_format_table> formats = std::make_shared<column_format_table>();
  std::shared_ptr<rocksdb::MergeOperator> merge = make_list_concat_operator();
  std::shared_ptr<rocksdb::CompactionFilterFactory> filter;
  std::unique_ptr<rocksdb::Env> env; ///< syncs only SST files in `dir` (working_file_system)
  std::unique_ptr<rocksdb::DB> db;
  std::vector<column> columns;
  rocksdb::ReadOptions read;
  rocksdb::WriteOptions write;
};

/// A writer of an SST file with `options` that leaves the file in the page cache: every file
/// written here is ingested soon after (by this instance, or by a rescale's successor).
std::unique_ptr<rocksdb::SstFileWriter> new_sst_writer(const rocksdb::Options& options);

/// Writes the entries `it` yields from `begin` on (up to its upper bound) into a new SST file
/// `path` written with `options`; returns how many. With none, no file is left. Errors are
/// state_errors naming `owner` and `what`.
std::uint64_t write_sst_file(rocksdb::Iterator& it, std::string_view begin,
                             const rocksdb::Options& options, const std::string& path,
                             const std::string& owner, const std::string& what);

/// The column family name of `state` ("state.<name>": never "default").
std::string column_family_name(const std::string& state);
/// The state of column family `name`; empty for the default column family.
std::string state_of_column_family(const std::string& name);
/// The format of a state from its metadata (the value of its metadata_key), and its signature
/// into `signature`; throws serialization_error if malformed.
rocksdb_column_format decode_metadata(std::string_view bytes, std::string& signature);
/// The metadata key of `state` in the default column family.
inline std::string metadata_key(const std::string& state) { return column_family_name(state); }

} // namespace sluice
