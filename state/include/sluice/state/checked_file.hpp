#pragma once
// The frame every snapshot file of the state module shares (keyed key-group files, operator
// state files): a header (8-byte magic, version) before the body, and a footer (the length of
// everything before it, and a CRC-32 of it) after. Reading checks all of it before the body is
// parsed, so a truncated, extended or bit-flipped file is reported as such (state_error naming
// the file) instead of being misread. Writing goes through a temporary name, fsync and rename,
// so a crash never leaves a half-written file under the final name. Whole files copied or read
// with their CRC-32 (shared files of incremental snapshots) too.

#include "sluice/state/byte_buffer.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

/// CRC-32 (IEEE 802.3: reflected, polynomial 0xEDB88320) continuing from `crc` (0 to start).
std::uint32_t crc32(std::uint32_t crc, const char* data, std::size_t n);

/// Copies the file `from` to `to` (created or truncated) and fsyncs it; returns the CRC-32 of
/// its bytes, computed while copying. Throws state_error naming the file that cannot be read or
/// written (a partial `to` is removed).
std::uint32_t copy_file_crc32(const std::string& from, const std::string& to);
/// The CRC-32 of the bytes of file `path`; throws state_error naming it when it cannot be read.
std::uint32_t file_crc32(const std::string& path);
/// Fsyncs the directory `dir`, so that the files created in it are durable.
void sync_dir(const std::string& dir);

/// What identifies a kind of file: exactly 8 magic bytes and a format version.
struct file_format {
  std::string_view magic;
  std::uint32_t version;
};

/// Whether write_checked_file syncs the directory it renamed the file into, or its caller does
/// (once, after writing many files into one directory).
enum class directory_sync { each_file, by_caller };

/// Writes header, `body` and footer to `path` atomically; returns the file's size. Throws
/// state_error naming the file when it cannot be written.
std::uint64_t write_checked_file(const std::string& path, file_format format,
                                 const std::vector<char>& body,
                                 directory_sync sync = directory_sync::each_file);

/// A file read and verified by read_checked_file.
class checked_file {
public:
  checked_file(std::string path, std::vector<char> bytes, std::size_t body_offset,
               std::size_t body_size)
      : path_(std::move(path)), bytes_(std::move(bytes)), body_offset_(body_offset),
        body_size_(body_size) {}

  const std::string& path() const { return path_; }
  /// A reader over the body (valid while this object lives).
  byte_reader body() const { return byte_reader(bytes_.data() + body_offset_, body_size_); }

private:
  std::string path_;
  std::vector<char> bytes_;
  std::size_t body_offset_;
  std::size_t body_size_;
};

/// Reads `path` and checks its frame against `format`; throws state_error naming the file and
/// what is wrong (missing, truncated, not of this format, checksum mismatch).
checked_file read_checked_file(const std::string& path, file_format format);

/// Throws state_error "file '<path>' is malformed: <detail>"; for errors found while
/// parsing a verified body (a format bug or a collision the checksum missed).
[[noreturn]] void throw_malformed_file(const std::string& path, const std::string& detail);

} // namespace sluice
