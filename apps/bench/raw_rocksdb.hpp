#pragma once
// The RocksDB baseline of bench_state and bench_checkpoint: one DB used directly through the
// RocksDB API, with the memory settings of Sluice's RocksDB backend (shared block cache, write
// buffers charged to it, no WAL): counting per 8-byte key with a Get and a Put (bench_state);
// writing values and taking a RocksDB checkpoint of them (bench_checkpoint).

#include <cstdint>
#include <memory>
#include <string>

namespace bench {

class raw_rocksdb {
public:
  /// Opens a fresh DB in `dir` (removed first and on destruction) within `memory_mb` MiB.
  raw_rocksdb(std::string dir, std::size_t memory_mb);
  ~raw_rocksdb();
  raw_rocksdb(const raw_rocksdb&) = delete;
  raw_rocksdb& operator=(const raw_rocksdb&) = delete;

  /// Reads the count of `key` (0 if absent), adds one and writes it back.
  std::int64_t increment(std::int64_t key);
  /// Writes `value` under `key`.
  void put(std::int64_t key, const std::string& value);
  /// A RocksDB checkpoint into `dir` as Sluice's backend takes one: memtables flushed first,
  /// SST files hard-linked (copied across file systems).
  void checkpoint(const std::string& dir);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace bench
