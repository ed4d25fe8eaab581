#include "sluice/state/rocksdb/rocksdb_shared_files.hpp"

#include "sluice/state/checked_file.hpp"
#include "sluice/state/shared_state_files.hpp"
#include "sluice/state/state_error.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <system_error>

#include <unistd.h>

namespace fs = std::filesystem;

namespace sluice {

namespace {

bool is_sst(const fs::path& file) { return file.extension() == ".sst"; }

/// Puts the SST file `from` at `to` and returns its CRC-32: a hard link where both lie on one
/// file system, as RocksDB's own checkpoints do (an SST file is never changed once written, and
/// RocksDB synced it when it finished it), so a compaction's large output costs a read, not a
/// copy; a copy otherwise (another file system, or a leftover at `to`).
std::uint32_t link_or_copy_crc32(const fs::path& from, const std::string& to) {
  std::error_code ec;
  fs::create_hard_link(from, to, ec);
  if (!ec)
    return file_crc32(to);
  return copy_file_crc32(from.string(), to);
}

} // namespace

void link_or_copy(const std::string& owner, const fs::path& from, const fs::path& to) {
  std::error_code ec;
  if (is_sst(from)) {
    fs::create_hard_link(from, to, ec);
    if (!ec)
      return;
    ec.clear();
  }
  fs::copy_file(from, to, ec);
  if (ec)
    throw state_error("operator '" + owner + "': cannot copy '" + from.string() + "' to '" +
                      to.string() + "': " + ec.message());
}

void put_files(const std::string& owner, const std::string& from, const std::string& to) {
  std::error_code ec;
  for (fs::directory_iterator it(from, ec), end; !ec && it != end; it.increment(ec))
    link_or_copy(owner, it->path(), fs::path(to) / it->path().filename());
  if (ec)
    throw state_error("operator '" + owner + "': cannot read the checkpoint directory '" + from +
                      "': " + ec.message());
}

std::uint64_t directory_size(const std::string& dir) {
  std::uint64_t n = 0;
  for (auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file())
      n += entry.file_size();
  return n;
}

rocksdb_shared_files::rocksdb_shared_files(std::string owner, std::string name_prefix)
    : owner_(std::move(owner)), name_prefix_(std::move(name_prefix)) {}

keyed_state_part rocksdb_shared_files::upload(const std::string& local_dir,
                                              const std::string& private_dir,
                                              const std::string& shared_dir,
                                              key_group_range range) {
  const std::lock_guard<std::mutex> lock(mutex_);
  keyed_state_part part{keyed_state_part::format::rocksdb_incremental, private_dir, range, 0, {}, 0};
  for (const auto& dir : {private_dir, shared_dir}) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
      throw state_error("operator '" + owner_ + "': cannot create the checkpoint dir '" + dir +
                        "': " + ec.message());
  }
  std::error_code ec;
  std::map<std::string, shared_state_file> held;
  for (fs::directory_iterator it(local_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (!is_sst(it->path())) {
      copy_file_crc32(it->path().string(), (fs::path(private_dir) / name).string());
      part.size_bytes += fs::file_size(it->path());
      continue;
    }
    auto known = uploaded_.find(name);
    if (known != uploaded_.end() && lies_directly_in(known->second.path, shared_dir)) {
      part.reused_bytes += known->second.size_bytes;
    } else {
      shared_state_file f{name, (fs::path(shared_dir) / (name_prefix_ + "-" + name)).string(),
                          fs::file_size(it->path()), 0};
      f.crc32 = link_or_copy_crc32(it->path(), f.path);
      known = uploaded_.insert_or_assign(name, f).first;
    }
    part.size_bytes += known->second.size_bytes;
    held.insert(*known);
    part.shared.push_back(known->second);
  }
  if (ec)
    throw state_error("operator '" + owner_ + "': cannot read the local checkpoint '" +
                      local_dir + "': " + ec.message());
  sync_dir(shared_dir);
  sync_dir(private_dir);
  uploaded_ = std::move(held);
  std::sort(part.shared.begin(), part.shared.end(),
            [](const auto& a, const auto& b) { return a.local_name < b.local_name; });
  return part;
}

void rocksdb_shared_files::seed(const keyed_state_part& part) {
  const std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& f : part.shared)
    uploaded_.insert_or_assign(f.local_name, f);
}

void require_rocksdb_checkpoint(const std::string& owner, const std::string& dir) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(dir) / "CURRENT", ec))
    throw state_error("operator '" + owner + "': checkpoint '" + dir +
                      "' is missing or is not a RocksDB checkpoint (no CURRENT file)");
}

void materialize_rocksdb_checkpoint(const std::string& owner, const keyed_state_part& part,
                                    const std::string& dir) {
  require_rocksdb_checkpoint(owner, part.path);
  put_files(owner, part.path, dir);
  for (const auto& f : part.shared) {
    check_shared_file(owner, part.path, f);
    link_or_copy(owner, f.path, fs::path(dir) / f.local_name);
  }
}

readable_rocksdb_checkpoint::readable_rocksdb_checkpoint(const std::string& owner,
                                                         const keyed_state_part& part,
                                                         const std::string& scratch_dir)
    : dir_(part.path) {
  if (part.kind != keyed_state_part::format::rocksdb_incremental)
    return;
  static std::atomic<unsigned> next{0};
  std::error_code ec;
  fs::create_directories(scratch_dir, ec);
  dir_ = (fs::path(scratch_dir) / ("restore-" + std::to_string(::getpid()) + "-" +
                                   std::to_string(next++)))
             .string();
  fs::remove_all(dir_, ec);
  fs::create_directory(dir_, ec);
  if (ec)
    throw state_error("operator '" + owner + "': cannot create the directory '" + dir_ +
                      "' to restore checkpoint '" + part.path + "' in: " + ec.message());
  owned_ = true;
  try {
    materialize_rocksdb_checkpoint(owner, part, dir_);
  } catch (...) {
    fs::remove_all(dir_, ec);
    throw;
  }
}

readable_rocksdb_checkpoint::~readable_rocksdb_checkpoint() {
  std::error_code ec;
  if (owned_)
    fs::remove_all(dir_, ec);
}

} // namespace sluice
