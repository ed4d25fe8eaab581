#pragma once
// The key-group snapshot file (format heap_key_groups of keyed_state_part): per key group a
// section of named blocks, each the bytes one state or participant wrote for that key group,
// with the signature of its type. A restore at any parallelism reads only the sections of the
// key groups it owns. The file knows nothing of states: the heap backend writes its states and
// participants into it, the RocksDB backend its participants (timers). Framed by checked_file
// (magic, version, length, CRC-32).
//
// Body: range.first, range.last (int32), section count (varint), then per section in increasing
// key-group order: key group (int32), block count (varint), per block: name, signature, bytes
// (each a varint length and the bytes).

#include "sluice/state/checked_file.hpp"
#include "sluice/state/key_group.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sluice {

/// The bytes one state or participant wrote for one key group.
struct key_group_block {
  std::string name;
  std::string signature;
  std::vector<char> bytes;
};

/// Key group → its blocks.
using key_group_sections = std::map<int, std::vector<key_group_block>>;

/// Collects the blocks of a snapshot in memory (the synchronous part) and writes them as one
/// file (the asynchronous part, which may run on another thread).
class key_group_file_builder {
public:
  /// `range`: the key groups of the subtask that snapshots; every block must lie in it.
  explicit key_group_file_builder(key_group_range range) : range_(range) {}

  /// Adds a block to `key_group`'s section; throws std::out_of_range outside the range.
  void add(int key_group, std::string name, std::string signature, std::vector<char> bytes);

  key_group_range range() const { return range_; }
  /// Whether `key_group` has a block.
  bool holds(int key_group) const { return sections_.count(key_group) != 0; }
  /// Writes the file atomically under `path`; returns its size. Throws state_error naming the
  /// file when it cannot be written.
  std::uint64_t write(const std::string& path) const { return write(path, range_); }
  /// The same for a file of the key groups in `only` (the range it records); `sync` as
  /// write_checked_file's.
  std::uint64_t write(const std::string& path, key_group_range only,
                      directory_sync sync = directory_sync::each_file) const;

private:
  key_group_range range_;
  key_group_sections sections_;
};

/// The sections of the key groups in `wanted` of the file at `path`; throws state_error naming
/// the file if it is missing, truncated or corrupt.
key_group_sections read_key_group_file(const std::string& path, key_group_range wanted);

} // namespace sluice
