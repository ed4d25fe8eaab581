#include "sluice/state/state_backend_config.hpp"

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>

#include <unistd.h>

namespace sluice {

const char* to_string(state_backend_kind kind) {
  return kind == state_backend_kind::heap ? "heap" : "rocksdb";
}

state_backend_kind parse_state_backend(const std::string& name) {
  if (name == "heap")
    return state_backend_kind::heap;
  if (name == "rocksdb")
    return state_backend_kind::rocksdb;
  throw std::invalid_argument("unknown state backend '" + name + "' (expected heap or rocksdb)");
}

const char* to_string(rocksdb_compaction style) {
  return style == rocksdb_compaction::universal ? "universal" : "level";
}

rocksdb_compaction parse_rocksdb_compaction(const std::string& name) {
  if (name == "universal")
    return rocksdb_compaction::universal;
  if (name == "level")
    return rocksdb_compaction::level;
  throw std::invalid_argument("unknown RocksDB compaction style '" + name +
                              "' (expected universal or level)");
}

std::string default_state_dir() {
  return (std::filesystem::temp_directory_path() / ("sluice-state-" + std::to_string(::getpid())))
      .string();
}

std::int64_t system_ttl_clock::now_ms() const {
  auto since = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(since).count();
}

const ttl_clock& system_ttl_clock::instance() {
  static const system_ttl_clock clock;
  return clock;
}

} // namespace sluice
