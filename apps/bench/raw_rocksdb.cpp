#include "raw_rocksdb.hpp"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_buffer_manager.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace bench {

struct raw_rocksdb::impl {
  std::string dir;
  std::shared_ptr<rocksdb::Cache> cache;
  std::shared_ptr<rocksdb::WriteBufferManager> write_buffers;
  std::unique_ptr<rocksdb::DB> db;
  rocksdb::ReadOptions read;
  rocksdb::WriteOptions write;
  std::string value;
};

raw_rocksdb::raw_rocksdb(std::string dir, std::size_t memory_mb) : impl_(std::make_unique<impl>()) {
  impl_->dir = std::move(dir);
  std::filesystem::remove_all(impl_->dir);
  std::filesystem::create_directories(impl_->dir);
  const std::size_t budget = memory_mb << 20;
  impl_->cache = rocksdb::NewLRUCache(budget);
  impl_->write_buffers = std::make_shared<rocksdb::WriteBufferManager>(budget / 2, impl_->cache);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = impl_->cache;
  table.cache_index_and_filter_blocks = true;
  rocksdb::Options options;
  options.create_if_missing = true;
  options.write_buffer_manager = impl_->write_buffers;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocksdb::DB* db = nullptr;
  auto status = rocksdb::DB::Open(options, impl_->dir, &db);
  if (!status.ok())
    throw std::runtime_error("raw RocksDB baseline: " + status.ToString());
  impl_->db.reset(db);
  impl_->write.disableWAL = true;
}

raw_rocksdb::~raw_rocksdb() {
  impl_->db.reset();
  std::filesystem::remove_all(impl_->dir);
}

std::int64_t raw_rocksdb::increment(std::int64_t key) {
  const rocksdb::Slice k(reinterpret_cast<const char*>(&key), sizeof key);
  std::int64_t count = 0;
  if (impl_->db->Get(impl_->read, k, &impl_->value).ok() && impl_->value.size() == sizeof count)
    std::memcpy(&count, impl_->value.data(), sizeof count);
  ++count;
  impl_->db->Put(impl_->write, k, rocksdb::Slice(reinterpret_cast<const char*>(&count), sizeof count));
  return count;
}

void raw_rocksdb::put(std::int64_t key, const std::string& value) {
  const rocksdb::Slice k(reinterpret_cast<const char*>(&key), sizeof key);
  auto status = impl_->db->Put(impl_->write, k, value);
  if (!status.ok())
    throw std::runtime_error("raw RocksDB baseline: " + status.ToString());
}

void raw_rocksdb::checkpoint(const std::string& dir) {
  rocksdb::Checkpoint* raw = nullptr;
  auto status = rocksdb::Checkpoint::Create(impl_->db.get(), &raw);
  std::unique_ptr<rocksdb::Checkpoint> cp(raw);
  if (status.ok())
    status = cp->CreateCheckpoint(dir, 0); // 0: flush every memtable first, as Sluice does
  if (!status.ok())
    throw std::runtime_error("raw RocksDB baseline checkpoint: " + status.ToString());
}

} // namespace bench
