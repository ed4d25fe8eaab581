#pragma once
// The --state-dir of one job run: checked (and created) at job start, so that an unusable
// directory fails the job before any subtask starts, and removed at the end if it is the
// default directory and this run created it (RocksDB instances live in subdirectories of it
// and remove their own; what is left is the empty default directory).

#include "sluice/state/state_backend_config.hpp"

#include <string>

namespace sluice {

class state_directory {
public:
  /// Prepares config.state_dir if the backend keeps files (rocksdb); throws config_error
  /// naming --state-dir and the path if it cannot be created or written.
  explicit state_directory(const state_backend_config& config);
  ~state_directory();
  state_directory(const state_directory&) = delete;
  state_directory& operator=(const state_directory&) = delete;

private:
  std::string owned_; ///< the directory to remove at the end; empty: none
};

} // namespace sluice
