#pragma once
// The `_metadata` file of a checkpoint or savepoint directory: written atomically (a temporary
// file, fsync, rename, fsync of the directory), so a crash leaves either no `_metadata` or a
// whole one. State paths inside the directory are stored relative to it, so a savepoint
// directory can be moved or copied and still restores.

#include "sluice/checkpoint/checkpoint_metadata.hpp"

#include <filesystem>

namespace sluice {

/// The name of the metadata file in a checkpoint or savepoint directory.
inline constexpr const char* metadata_file_name = "_metadata";

/// Writes `m` to `<dir>/_metadata` atomically (replacing one that exists). Throws
/// checkpoint_error naming the file when it cannot be written.
void write_metadata_file(const std::filesystem::path& dir, const checkpoint_metadata& m);

/// Reads a `_metadata` file, making relative state paths absolute again (against the file's
/// directory). Throws checkpoint_error naming the file when it is missing, unreadable,
/// truncated or corrupt.
checkpoint_metadata read_metadata_file(const std::filesystem::path& file);

/// Throws checkpoint_error naming the first state file or directory `m` references that does
/// not exist, or the first state file whose size is not the size recorded (truncated or
/// replaced), and `metadata_file`, which references it.
void check_state_files(const checkpoint_metadata& m, const std::filesystem::path& metadata_file);

} // namespace sluice
