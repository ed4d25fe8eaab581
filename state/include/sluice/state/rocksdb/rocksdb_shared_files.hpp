#pragma once
// Incremental RocksDB snapshots at the level of files (no RocksDB types): uploading the SST
// files of a local RocksDB checkpoint that the backend has not uploaded before into the job's
// shared directory, and putting a snapshot of either RocksDB form back together as a RocksDB
// directory for a restore. SST files are immutable, and a file gone from a later checkpoint
// never comes back, so a file uploaded once can be referenced by every later snapshot that
// still holds it.

#include "sluice/state/state_handle.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>

namespace sluice {

/// The SST files one RocksDB backend uploaded, by local name. Safe to use from the threads that
/// run snapshots' asynchronous parts (one upload at a time).
class rocksdb_shared_files {
public:
  /// `name_prefix` starts the name of every file uploaded (unique per backend instance, so
  /// names never collide across operators, subtasks and restarts); `owner` names the operator
  /// subtask in errors.
  rocksdb_shared_files(std::string owner, std::string name_prefix);

  /// From the RocksDB checkpoint in `local_dir`: copies each SST file not uploaded into
  /// `shared_dir` before (`<prefix>-<local name>`, CRC-32 computed while copying, fsynced) and
  /// every other file into `private_dir` (both created if missing); forgets files the checkpoint no longer
  /// holds. Returns the part (format rocksdb_incremental) for `range`. Throws state_error
  /// naming a file that cannot be copied.
  keyed_state_part upload(const std::string& local_dir, const std::string& private_dir,
                          const std::string& shared_dir, key_group_range range);
  /// Takes the shared files of a restored part as uploaded, so the next snapshot into the same
  /// shared directory references them instead of uploading them again.
  void seed(const keyed_state_part& part);

private:
  std::mutex mutex_;
  std::string owner_;
  std::string name_prefix_;
  std::map<std::string, shared_state_file> uploaded_;
};

/// Puts the checkpoint file `from` at `to`. SST files are immutable: a hard link shares them
/// (copied only across file systems). Everything else (MANIFEST, CURRENT, OPTIONS) RocksDB may
/// rewrite, so it is copied. Throws state_error naming both (`owner`: the operator subtask).
void link_or_copy(const std::string& owner, const std::filesystem::path& from,
                  const std::filesystem::path& to);
/// link_or_copy of every file of the directory `from` into the existing directory `to`.
void put_files(const std::string& owner, const std::string& from, const std::string& to);
/// The bytes of the regular files under `dir`, subdirectories included.
std::uint64_t directory_size(const std::string& dir);

/// Throws state_error naming the operator `owner` and `dir` unless `dir` holds a CURRENT file.
void require_rocksdb_checkpoint(const std::string& owner, const std::string& dir);

/// Puts the RocksDB checkpoint `part` describes (rocksdb_checkpoint or rocksdb_incremental) into
/// the existing, empty directory `dir`: SST files hard-linked (copied across file systems), the
/// rest copied. A shared file is checked first: missing, of another size, or with another
/// CRC-32 than recorded is a state_error naming it.
void materialize_rocksdb_checkpoint(const std::string& owner, const keyed_state_part& part,
                                    const std::string& dir);

/// A RocksDB checkpoint directory to open read-only: the part's own directory for
/// rocksdb_checkpoint, or one materialized under `scratch_dir` (removed again by the
/// destructor) for rocksdb_incremental.
class readable_rocksdb_checkpoint {
public:
  readable_rocksdb_checkpoint(const std::string& owner, const keyed_state_part& part,
                              const std::string& scratch_dir);
  ~readable_rocksdb_checkpoint();
  readable_rocksdb_checkpoint(const readable_rocksdb_checkpoint&) = delete;
  readable_rocksdb_checkpoint& operator=(const readable_rocksdb_checkpoint&) = delete;

  const std::string& dir() const { return dir_; }

private:
  std::string dir_;
  bool owned_ = false;
};

} // namespace sluice
