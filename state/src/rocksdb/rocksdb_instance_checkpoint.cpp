// Checkpoints of a RocksDB instance and the two ways of restoring one: taking over a whole
// checkpoint (same or smaller key-group range: hard links, then range deletions), or copying
// the key groups owned out of several checkpoints (rescaling). Putting a checkpoint's files
// back together (incremental ones too): rocksdb_shared_files.cpp.

#include "rocksdb_instance_impl.hpp"

#include "sluice/state/rocksdb/rocksdb_layout.hpp"
#include "sluice/state/rocksdb/rocksdb_shared_files.hpp"

#include <rocksdb/sst_file_writer.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <functional>
#include <future>
#include <system_error>
#include <thread>

namespace fs = std::filesystem;

namespace sluice {

namespace {

/// Bytes a write batch of imported entries collects before it is written.
constexpr std::size_t import_batch_bytes = std::size_t{4} << 20;

std::string checkpoint_what(const std::string& dir) { return "checkpoint '" + dir + "'"; }

/// A checkpoint opened read-only, with its column families.
struct read_only_checkpoint {
  std::vector<std::string> names;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::unique_ptr<rocksdb::DB> db;

  /// Opens the checkpoint in `dir` with every column family under `columns`.
  read_only_checkpoint(const std::string& owner, const std::string& dir,
                       const rocksdb::DBOptions& options,
                       const rocksdb::ColumnFamilyOptions& columns) {
    require_rocksdb_checkpoint(owner, dir);
    const auto what = checkpoint_what(dir);
    check(rocksdb::DB::ListColumnFamilies(options, dir, &names), owner, what);
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (auto& name : names)
      descriptors.emplace_back(name, columns);
    rocksdb::DB* opened = nullptr;
    check(rocksdb::DB::OpenForReadOnly(options, dir, descriptors, &handles, &opened), owner, what);
    db.reset(opened);
  }
  read_only_checkpoint(const read_only_checkpoint&) = delete;
  read_only_checkpoint& operator=(const read_only_checkpoint&) = delete;
  ~read_only_checkpoint() {
    for (auto* h : handles)
      db->DestroyColumnFamilyHandle(h);
  }
};

} // namespace

std::unique_ptr<rocksdb::SstFileWriter> new_sst_writer(const rocksdb::Options& options) {
  return std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(), options, nullptr,
                                                  /*invalidate_page_cache=*/false);
}

std::uint64_t write_sst_file(rocksdb::Iterator& it, std::string_view begin,
                             const rocksdb::Options& options, const std::string& path,
                             const std::string& owner, const std::string& what) {
  const auto writer = new_sst_writer(options);
  const auto file = "SST file '" + path + "'";
  check(writer->Open(path), owner, file);
  std::uint64_t entries = 0;
  for (it.Seek(rocksdb::Slice(begin.data(), begin.size())); it.Valid(); it.Next(), ++entries)
    check(writer->Put(it.key(), it.value()), owner, file);
  check(it.status(), owner, what);
  if (entries == 0) {
    writer->Finish().PermitUncheckedError();
    std::error_code ec;
    fs::remove(path, ec);
    return 0;
  }
  check(writer->Finish(), owner, file);
  return entries;
}

void rocksdb_instance::checkpoint(const std::string& dir) {
  auto& d = opened();
  write_back_caches();
  rocksdb::Checkpoint* raw = nullptr;
  check(rocksdb::Checkpoint::Create(d.db.get(), &raw), d.owner, checkpoint_what(dir));
  std::unique_ptr<rocksdb::Checkpoint> cp(raw);
  // log_size_for_flush 0: flush every memtable into SST files first; with the write-ahead log
  // off, that is the only way unflushed writes reach the checkpoint.
  check(cp->CreateCheckpoint(dir, 0), d.owner, checkpoint_what(dir));
}

void rocksdb_instance::restore_whole(const keyed_state_part& part, key_group_range keep) {
  auto& d = *impl_;
  if (d.columns.size() > 1)
    throw state_error("operator '" + d.owner + "': restore must come before any state is used");
  require_rocksdb_checkpoint(d.owner, part.path);
  d.close();
  for (auto& entry : fs::directory_iterator(d.dir))
    fs::remove_all(entry.path());
  materialize_rocksdb_checkpoint(d.owner, part, d.dir);
  d.open(checkpoint_what(part.path));
  const auto first = rocksdb_layout::key_group_start(0);
  const auto keep_first = rocksdb_layout::key_group_start(keep.first);
  const auto keep_end = rocksdb_layout::key_group_start(keep.last + 1);
  const auto end = rocksdb_layout::key_group_start(max_key_groups);
  for (std::size_t i = 1; i < d.columns.size(); ++i) {
    auto* h = d.columns[i].handle;
    if (keep.first > 0)
      check(d.db->DeleteRange(d.write, h, first, keep_first), d.owner, d.what(static_cast<int>(i)));
    if (keep.last + 1 < max_key_groups)
      check(d.db->DeleteRange(d.write, h, keep_end, end), d.owner, d.what(static_cast<int>(i)));
  }
}

void rocksdb_instance::impl::ingest(int cf, rocksdb::DB& source,
                                    rocksdb::ColumnFamilyHandle* from, key_group_range range,
                                    const std::string& what) {
  auto& d = *this;
  auto* target = d.columns[static_cast<std::size_t>(cf)].handle;
  const int groups = range.last - range.first + 1;
  const int parts =
      std::max(1, std::min(groups, static_cast<int>(std::thread::hardware_concurrency())));
  const rocksdb::Options writer_options(make_db_options(*d.resources), d.column_options(false));
  // Part p's entries into its own SST file; its path, or "" if it has none (RocksDB writes no
  // SST file without an entry).
  const auto write_part = [&](int p) -> std::string {
    const auto begin = rocksdb_layout::key_group_start(range.first + groups * p / parts);
    const auto end = rocksdb_layout::key_group_start(range.first + groups * (p + 1) / parts);
    const rocksdb::Slice end_slice(end);
    auto options = d.read;
    options.iterate_upper_bound = &end_slice;
    std::unique_ptr<rocksdb::Iterator> it(source.NewIterator(options, from));
    const auto path = (fs::path(d.dir) / ("import-" + std::to_string(cf) + "-" +
                                          std::to_string(p) + ".sst"))
                          .string();
    return write_sst_file(*it, begin, writer_options, path, d.owner, what) > 0 ? path
                                                                               : std::string();
  };
  std::vector<std::future<std::string>> others;
  for (int p = 1; p < parts; ++p)
    others.push_back(std::async(std::launch::async, write_part, p));
  std::vector<std::string> files;
  std::exception_ptr failure;
  const auto collect = [&](const std::function<std::string()>& part) {
    try {
      if (auto path = part(); !path.empty())
        files.push_back(std::move(path));
    } catch (...) {
      if (!failure)
        failure = std::current_exception();
    }
  };
  collect([&] { return write_part(0); });
  for (auto& other : others)
    collect([&] { return other.get(); });
  if (failure) {
    for (const auto& path : files) {
      std::error_code ec;
      fs::remove(path, ec);
    }
    std::rethrow_exception(failure);
  }
  if (files.empty())
    return;
  rocksdb::IngestExternalFileOptions ingest;
  ingest.move_files = true;
  check(d.db->IngestExternalFile(target, files, ingest), d.owner, d.what(cf));
}

void rocksdb_instance::import_key_groups(const std::string& dir, key_group_range range) {
  auto& d = opened();
  const auto what = checkpoint_what(dir);
  read_only_checkpoint source(d.owner, dir, make_db_options(*d.resources), d.column_options(false));

  for (std::size_t i = 0; i < source.names.size(); ++i) {
    const auto state = state_of_column_family(source.names[i]);
    // The default column family holds the metadata of the states: copied whole, entry by entry
    // (the instance may hold some of its keys already).
    int cf = state.empty() ? 0 : d.find(state);
    if (cf < 0)
      cf = d.create(state);
    if (!state.empty()) { // a state's key groups
      d.ingest(cf, *source.db, source.handles[i], range, what);
      continue;
    }
    std::unique_ptr<rocksdb::Iterator> it(source.db->NewIterator(d.read, source.handles[i]));
    rocksdb::WriteBatch batch;
    auto* target = d.columns[static_cast<std::size_t>(cf)].handle;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      check(batch.Put(target, it->key(), it->value()), d.owner, what);
      if (batch.GetDataSize() >= import_batch_bytes) {
        check(d.db->Write(d.write, &batch), d.owner, d.what(cf));
        batch.Clear();
      }
    }
    check(it->status(), d.owner, what);
    check(d.db->Write(d.write, &batch), d.owner, d.what(cf));
  }
  for (std::size_t i = 1; i < d.columns.size(); ++i)
    d.load_format(static_cast<int>(i), nullptr);
}

} // namespace sluice

namespace sluice {

void read_rocksdb_checkpoint(const std::string& owner, const std::string& dir,
                             key_group_range range,
                             const std::function<void(rocksdb_key_group_entries&&)>& f) {
  // No TTL filter: expired entries are converted with their stamps and expire where they land.
  rocksdb::ColumnFamilyOptions columns;
  columns.merge_operator = make_list_concat_operator();
  read_only_checkpoint source(owner, dir, rocksdb::DBOptions(), columns);
  const auto what = checkpoint_what(dir);
  const auto end = rocksdb_layout::key_group_start(range.last + 1);
  const rocksdb::Slice end_slice(end);
  for (std::size_t i = 0; i < source.names.size(); ++i) {
    rocksdb_key_group_entries state;
    state.state = state_of_column_family(source.names[i]);
    if (state.state.empty())
      continue;
    std::string metadata;
    check(source.db->Get(rocksdb::ReadOptions(), source.db->DefaultColumnFamily(),
                         metadata_key(state.state), &metadata),
          owner, what + ": the metadata of state '" + state.state + "'");
    try {
      state.format = decode_metadata(metadata, state.signature);
    } catch (const serialization_error& e) {
      throw state_error("operator '" + owner + "': " + what + ": state '" + state.state +
                        "': corrupt metadata: " + e.what());
    }
    rocksdb::ReadOptions options;
    options.iterate_upper_bound = &end_slice;
    std::unique_ptr<rocksdb::Iterator> it(source.db->NewIterator(options, source.handles[i]));
    auto group = state;
    const auto emit = [&] {
      if (!group.entries.empty())
        f(std::move(group));
      group = state;
    };
    for (it->Seek(rocksdb_layout::key_group_start(range.first)); it->Valid(); it->Next()) {
      const auto key = it->key();
      const int key_group =
          (static_cast<unsigned char>(key[0]) << 8) | static_cast<unsigned char>(key[1]);
      if (key_group != group.key_group) {
        emit();
        group.key_group = key_group;
      }
      group.entries.emplace_back(std::string(key.data() + rocksdb_layout::key_group_bytes,
                                             key.size() - rocksdb_layout::key_group_bytes),
                                 it->value().ToString());
    }
    check(it->status(), owner, what);
    emit();
  }
}

} // namespace sluice
