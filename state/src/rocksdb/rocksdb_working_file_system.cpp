// The working directory's file system (rocksdb_working_file_system.hpp).

#include "rocksdb_working_file_system.hpp"

#include <rocksdb/file_system.h>

namespace sluice {

namespace {

/// A file whose syncs do nothing.
class unsynced_file final : public rocksdb::FSWritableFileOwnerWrapper {
public:
  using FSWritableFileOwnerWrapper::FSWritableFileOwnerWrapper;
  rocksdb::IOStatus Sync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus RangeSync(std::uint64_t, std::uint64_t, const rocksdb::IOOptions&,
                              rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }
};

/// A directory whose syncs do nothing.
class unsynced_directory final : public rocksdb::FSDirectoryWrapper {
public:
  using FSDirectoryWrapper::FSDirectoryWrapper;
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions&, rocksdb::IODebugContext*,
                                        const rocksdb::DirFsyncOptions&) override {
    return rocksdb::IOStatus::OK();
  }
};

class working_file_system final : public rocksdb::FileSystemWrapper {
public:
  explicit working_file_system(std::string dir)
      : FileSystemWrapper(rocksdb::FileSystem::Default()), dir_(std::move(dir)) {}

  const char* Name() const override { return "SluiceWorkingFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    auto s = target()->NewWritableFile(f, options, r, dbg);
    if (s.ok() && inside(f) && !is_sst(f))
      *r = std::make_unique<unsynced_file>(std::move(*r));
    return s;
  }
  /// Ingestion reopens the files it links in to sync them: their writer synced them.
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override {
    auto s = target()->ReopenWritableFile(f, options, r, dbg);
    if (s.ok() && inside(f))
      *r = std::make_unique<unsynced_file>(std::move(*r));
    return s;
  }
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* r,
                                 rocksdb::IODebugContext* dbg) override {
    auto s = target()->NewDirectory(name, options, r, dbg);
    if (s.ok() && (name == dir_ || inside(name)))
      *r = std::make_unique<unsynced_directory>(std::move(*r));
    return s;
  }

private:
  bool inside(const std::string& path) const {
    return path.size() > dir_.size() && path.compare(0, dir_.size(), dir_) == 0 &&
           path[dir_.size()] == '/';
  }
  static bool is_sst(const std::string& path) {
    return path.size() >= 4 && path.compare(path.size() - 4, 4, ".sst") == 0;
  }

  std::string dir_;
};

} // namespace

std::unique_ptr<rocksdb::Env> make_working_env(const std::string& dir) {
  return rocksdb::NewCompositeEnv(std::make_shared<working_file_system>(dir));
}

} // namespace sluice
