// A RocksDB instance at the level of bytes: opening, column families, reads and writes.

#include "rocksdb_instance_impl.hpp"
#include "rocksdb_moves.hpp"
#include "rocksdb_working_file_system.hpp"

#include "sluice/state/serialization.hpp"
#include "sluice/state/state_descriptor.hpp"

#include <filesystem>

namespace sluice {

namespace {

const std::string state_prefix = "state.";

/// The smallest key greater than every key starting with `prefix`. Every prefix starts with a
/// key group below 0x8000, so some byte can always be incremented.
std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff)
    end.pop_back();
  if (!end.empty())
    end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

rocksdb::Slice slice(std::string_view s) { return {s.data(), s.size()}; }

std::vector<char> encode_metadata(const std::string& signature, rocksdb_column_format format) {
  std::vector<char> out;
  byte_writer w(out);
  serialize(w, signature);
  serialize(w, static_cast<std::int32_t>(format.kind));
  serialize(w, format.ttl_ms);
  w.finish();
  return out;
}

} // namespace

rocksdb_column_format decode_metadata(std::string_view bytes, std::string& signature) {
  byte_reader r(bytes.data(), bytes.size());
  rocksdb_column_format format;
  signature = deserialize<std::string>(r);
  format.kind = static_cast<state_kind>(deserialize<std::int32_t>(r));
  format.ttl_ms = deserialize<std::int64_t>(r);
  return format;
}

std::string column_family_name(const std::string& state) { return state_prefix + state; }

std::string state_of_column_family(const std::string& name) {
  return name.compare(0, state_prefix.size(), state_prefix) == 0 ? name.substr(state_prefix.size())
                                                                 : std::string();
}

rocksdb_instance::impl::impl(std::string owner_, std::string dir_,
                             std::shared_ptr<rocksdb_shared_resources> resources_,
                             const ttl_clock& clock_)
    : owner(std::move(owner_)), dir(std::move(dir_)), resources(std::move(resources_)),
      clock(clock_), filter(make_ttl_filter_factory(formats, clock)), env(make_working_env(dir)) {
  // Checkpoints, not the write-ahead log, make state durable: a checkpoint flushes the
  // memtables first, and a failed subtask restores from its last checkpoint, never from its
  // own directory. The log would only double every write.
  write.disableWAL = true;
}

rocksdb::ColumnFamilyOptions rocksdb_instance::impl::column_options(bool with_filter) const {
  return make_column_family_options(*resources, merge, with_filter ? filter : nullptr);
}

void rocksdb_instance::impl::open(const std::string& source) {
  auto db_options = make_db_options(*resources);
  db_options.env = env.get();
  std::vector<std::string> names{rocksdb::kDefaultColumnFamilyName};
  if (std::filesystem::exists(std::filesystem::path(dir) / "CURRENT")) {
    names.clear();
    check(rocksdb::DB::ListColumnFamilies(db_options, dir, &names), owner, source);
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (auto& name : names)
    descriptors.emplace_back(name, column_options(true));
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* opened = nullptr;
  check(rocksdb::DB::Open(db_options, dir, descriptors, &handles, &opened), owner, source);
  db.reset(opened);
  columns.clear();
  for (std::size_t i = 0; i < handles.size(); ++i)
    columns.push_back({state_of_column_family(names[i]), handles[i], {}, false});
  // The default column family first, so that an index of `columns` never names it by accident.
  for (std::size_t i = 1; i < columns.size(); ++i)
    if (columns[i].state.empty())
      std::swap(columns[0], columns[i]);
  for (std::size_t i = 1; i < columns.size(); ++i)
    load_format(static_cast<int>(i), nullptr);
}

void rocksdb_instance::impl::close() {
  if (!db)
    return;
  for (auto& c : columns)
    db->DestroyColumnFamilyHandle(c.handle);
  columns.clear();
  db.reset();
}

int rocksdb_instance::impl::find(const std::string& state) const {
  for (std::size_t i = 1; i < columns.size(); ++i)
    if (columns[i].state == state)
      return static_cast<int>(i);
  return -1;
}

int rocksdb_instance::impl::create(const std::string& state) {
  rocksdb::ColumnFamilyHandle* handle = nullptr;
  check(db->CreateColumnFamily(column_options(true), column_family_name(state), &handle), owner,
        "state '" + state + "'");
  columns.push_back({state, handle, {}, false});
  return static_cast<int>(columns.size() - 1);
}

bool rocksdb_instance::impl::load_format(int cf, std::string* signature) {
  auto& c = columns[static_cast<std::size_t>(cf)];
  std::string bytes;
  auto s = db->Get(read, columns[0].handle, metadata_key(c.state), &bytes);
  if (s.IsNotFound())
    return false;
  check(s, owner, what(cf));
  try {
    std::string stored_signature;
    c.format = decode_metadata(bytes, stored_signature);
    if (signature)
      *signature = std::move(stored_signature);
  } catch (const serialization_error& e) {
    throw state_error("operator '" + owner + "': " + what(cf) + ": corrupt metadata: " + e.what());
  }
  formats->set(c.handle->GetID(), c.format);
  return true;
}

std::string rocksdb_instance::impl::what(int cf) const {
  if (cf == 0)
    return "the states' metadata in '" + dir + "'";
  return "state '" + columns[static_cast<std::size_t>(cf)].state + "'";
}

rocksdb_instance::rocksdb_instance(std::string owner, std::string dir,
                                   std::shared_ptr<rocksdb_shared_resources> resources,
                                   const ttl_clock& clock)
    : impl_(std::make_unique<impl>(std::move(owner), std::move(dir), std::move(resources), clock)) {
}

rocksdb_instance::impl& rocksdb_instance::opened() {
  if (!impl_->db)
    impl_->open("directory '" + impl_->dir + "'");
  return *impl_;
}

rocksdb_instance::~rocksdb_instance() = default;

const std::string& rocksdb_instance::dir() const { return impl_->dir; }

int rocksdb_instance::column_family(const std::string& name, const std::string& signature,
                                    rocksdb_column_format format) {
  auto& d = opened();
  int cf = d.find(name);
  std::string stored;
  if (cf >= 0 && d.load_format(cf, &stored)) {
    auto& c = d.columns[static_cast<std::size_t>(cf)];
    if (stored != signature)
      throw state_error("operator '" + d.owner + "': state '" + name + "' was restored as " +
                        readable_signature(stored) + " and is registered as " +
                        readable_signature(signature) +
                        "; one name must keep one kind and type");
    if ((c.format.ttl_ms > 0) != (format.ttl_ms > 0))
      throw state_error("operator '" + d.owner + "': state '" + name + "' was restored with TTL " +
                        (c.format.ttl_ms > 0 ? "on" : "off") + " and is registered with TTL " +
                        (format.ttl_ms > 0 ? "on" : "off"));
  }
  if (cf < 0)
    cf = d.create(name);
  auto& c = d.columns[static_cast<std::size_t>(cf)];
  auto metadata = encode_metadata(signature, format);
  check(d.db->Put(d.write, d.columns[0].handle, metadata_key(name),
                  rocksdb::Slice(metadata.data(), metadata.size())),
        d.owner, d.what(cf));
  c.format = format;
  c.attached = true;
  d.formats->set(c.handle->GetID(), format);
  return cf;
}

bool rocksdb_instance::get(int cf, std::string_view key, std::string& value) {
  auto& d = opened();
  auto s = d.db->Get(d.read, d.columns[static_cast<std::size_t>(cf)].handle, slice(key), &value);
  if (s.IsNotFound())
    return false;
  check(s, d.owner, d.what(cf));
  return true;
}

void rocksdb_instance::put(int cf, std::string_view key, std::string_view value) {
  auto& d = opened();
  check(
      d.db->Put(d.write, d.columns[static_cast<std::size_t>(cf)].handle, slice(key), slice(value)),
      d.owner, d.what(cf));
  if (moves_)
    moves_->put(cf, key, value);
}

void rocksdb_instance::merge(int cf, std::string_view key, std::string_view value) {
  auto& d = opened();
  check(d.db->Merge(d.write, d.columns[static_cast<std::size_t>(cf)].handle, slice(key),
                    slice(value)),
        d.owner, d.what(cf));
  if (moves_)
    moves_->merge(cf, key);
}

void rocksdb_instance::remove(int cf, std::string_view key) {
  auto& d = opened();
  check(d.db->Delete(d.write, d.columns[static_cast<std::size_t>(cf)].handle, slice(key)), d.owner,
        d.what(cf));
  if (moves_)
    moves_->remove(cf, key);
}

void rocksdb_instance::scan(int cf, std::string_view prefix,
                            const std::function<bool(std::string_view, std::string_view)>& f) {
  auto& d = opened();
  const auto end = prefix_end(prefix);
  const rocksdb::Slice end_slice(end);
  auto options = d.read;
  // The bound lets RocksDB stop at the prefix's end instead of reading past it.
  options.iterate_upper_bound = &end_slice;
  std::unique_ptr<rocksdb::Iterator> it(
      d.db->NewIterator(options, d.columns[static_cast<std::size_t>(cf)].handle));
  for (it->Seek(slice(prefix)); it->Valid(); it->Next()) {
    auto k = it->key();
    auto v = it->value();
    if (!f({k.data(), k.size()}, {v.data(), v.size()}))
      break;
  }
  check(it->status(), d.owner, d.what(cf));
}

void rocksdb_instance::write_back_caches() {
  for (auto* cache : write_backs_)
    cache->write_back();
}

std::size_t rocksdb_instance::count(const std::string& name) {
  write_back_caches();
  auto& d = opened();
  int cf = d.find(name);
  if (cf < 0)
    return 0;
  const auto format = d.columns[static_cast<std::size_t>(cf)].format;
  const auto now = d.clock.now_ms();
  std::size_t n = 0;
  std::unique_ptr<rocksdb::Iterator> it(
      d.db->NewIterator(d.read, d.columns[static_cast<std::size_t>(cf)].handle));
  try {
    for (it->SeekToFirst(); it->Valid(); it->Next())
      n += live_entries(format, {it->value().data(), it->value().size()}, now);
  } catch (const serialization_error& e) {
    throw state_error("operator '" + d.owner + "': " + d.what(cf) + ": corrupt value: " + e.what());
  }
  check(it->status(), d.owner, d.what(cf));
  return n;
}

void rocksdb_instance::compact_all() {
  write_back_caches();
  auto& d = opened();
  rocksdb::CompactRangeOptions options;
  // Rewrite the last level too, so the TTL filter sees every entry.
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (std::size_t i = 1; i < d.columns.size(); ++i)
    check(d.db->CompactRange(options, d.columns[i].handle, nullptr, nullptr), d.owner,
          d.what(static_cast<int>(i)));
}

} // namespace sluice
