#include "sluice/state/key_group_file.hpp"

#include "sluice/state/checked_file.hpp"
#include "sluice/state/serialization.hpp"

#include <iterator>
#include <stdexcept>
#include <utility>

namespace sluice {
namespace {

constexpr file_format format{"SLUICEKG", 1};

void write_block(byte_writer& w, const key_group_block& b) {
  serialize(w, b.name);
  serialize(w, b.signature);
  serialize(w, b.bytes);
}

key_group_block read_block(byte_reader& r) {
  key_group_block b;
  deserialize(r, b.name);
  deserialize(r, b.signature);
  deserialize(r, b.bytes);
  return b;
}

key_group_sections read_sections(byte_reader& r, const std::string& path, key_group_range wanted) {
  key_group_range file_range;
  file_range.first = deserialize<std::int32_t>(r);
  file_range.last = deserialize<std::int32_t>(r);
  if (file_range.first < 0)
    throw_malformed_file(path, "its key group range starts at " +
                                   std::to_string(file_range.first) +
                                   ", but key groups are never negative");
  key_group_sections out;
  int previous = file_range.first - 1;
  for (auto n = r.read_length(); n > 0; --n) {
    const int key_group = deserialize<std::int32_t>(r);
    if (key_group <= previous || !file_range.contains(key_group))
      throw_malformed_file(path, "key group " + std::to_string(key_group) +
                                     " is out of order or outside the file's range " +
                                     std::to_string(file_range.first) + ".." +
                                     std::to_string(file_range.last));
    previous = key_group;
    std::vector<key_group_block> blocks;
    for (auto b = r.read_length(); b > 0; --b)
      blocks.push_back(read_block(r));
    if (wanted.contains(key_group))
      out.emplace(key_group, std::move(blocks));
  }
  if (!r.at_end())
    throw_malformed_file(path, std::to_string(r.remaining()) + " bytes after the last section");
  return out;
}

} // namespace

void key_group_file_builder::add(int key_group, std::string name, std::string signature,
                                 std::vector<char> bytes) {
  if (!range_.contains(key_group))
    throw std::out_of_range("key group " + std::to_string(key_group) +
                            " is outside the snapshot's range " + std::to_string(range_.first) +
                            ".." + std::to_string(range_.last));
  sections_[key_group].push_back({std::move(name), std::move(signature), std::move(bytes)});
}

std::uint64_t key_group_file_builder::write(const std::string& path, key_group_range only,
                                            directory_sync sync) const {
  const auto begin = sections_.lower_bound(only.first);
  const auto end = sections_.upper_bound(only.last);
  std::vector<char> body;
  {
    byte_writer w(body);
    serialize(w, std::int32_t{only.first});
    serialize(w, std::int32_t{only.last});
    w.write_varint(static_cast<std::size_t>(std::distance(begin, end)));
    for (auto it = begin; it != end; ++it) {
      const auto& [key_group, blocks] = *it;
      serialize(w, std::int32_t{key_group});
      w.write_varint(blocks.size());
      for (auto& b : blocks)
        write_block(w, b);
    }
  }
  return write_checked_file(path, format, body, sync);
}

key_group_sections read_key_group_file(const std::string& path, key_group_range wanted) {
  auto file = read_checked_file(path, format);
  auto r = file.body();
  try {
    return read_sections(r, path, wanted);
  } catch (const serialization_error& e) {
    throw_malformed_file(path, e.what());
  }
}

} // namespace sluice
