// RocksDB → heap, byte by byte: RocksDB entries of one key group become the heap section
// heap_state_table::read_key_group reads (the forms are in cross_backend.hpp).

#include "sluice/state/cross_backend.hpp"

namespace sluice {

namespace {

/// A RocksDB key (without its key group) taken apart.
struct split_key {
  std::string_view key;        ///< the key's bytes
  std::string_view ns;         ///< the namespace's bytes
  std::string_view rest;       ///< what follows: a map entry's user key
  std::size_t prefix_size = 0; ///< bytes of key, namespace length and namespace
};

split_key split(std::string_view rocksdb_key,
                const std::function<std::size_t(std::string_view)>& key_size) {
  split_key out;
  const auto k = key_size(rocksdb_key);
  byte_reader in(rocksdb_key.data() + k, rocksdb_key.size() - k);
  const auto ns_size = in.read_length();
  const char* ns = in.take(ns_size);
  out.key = rocksdb_key.substr(0, k);
  out.ns = {ns, ns_size};
  out.prefix_size = rocksdb_key.size() - in.remaining();
  out.rest = rocksdb_key.substr(out.prefix_size);
  return out;
}

/// The stamp at the front of a RocksDB value of `format` (0 without TTL), and the value's
/// serialized bytes after it.
std::pair<std::int64_t, std::string_view> unstamp(rocksdb_column_format format,
                                                  std::string_view value) {
  if (format.ttl_ms == 0)
    return {0, value};
  return {rocksdb_layout::read_stamp(value), value.substr(rocksdb_layout::stamp_bytes)};
}

void write_stamp(byte_writer& w, std::int64_t stamp) { w.write_bytes(&stamp, sizeof stamp); }

/// The heap value of a RocksDB list: serialize(vector<T>) | serialize(vector<stamp>).
void write_list(byte_writer& w, rocksdb_column_format format, std::string_view list) {
  std::vector<std::string_view> values;
  std::vector<std::int64_t> stamps;
  rocksdb_layout::for_each_element(list, [&](std::string_view element) {
    auto [stamp, value] = unstamp(format, element);
    values.push_back(value);
    stamps.push_back(stamp);
  });
  w.write_varint(values.size());
  for (auto v : values)
    w.write_bytes(v.data(), v.size());
  if (format.ttl_ms == 0)
    stamps.clear();
  w.write_varint(stamps.size());
  for (auto s : stamps)
    write_stamp(w, s);
}

/// Writes the heap entry key of `k`: varint(size) | key bytes | namespace bytes.
void write_entry_key(byte_writer& w, const split_key& k) {
  w.write_varint(k.key.size() + k.ns.size());
  w.write_bytes(k.key.data(), k.key.size());
  w.write_bytes(k.ns.data(), k.ns.size());
}

} // namespace

std::vector<char>
heap_section_of_rocksdb(rocksdb_column_format format,
                        const std::vector<std::pair<std::string, std::string>>& entries,
                        const std::function<std::size_t(std::string_view)>& key_size) {
  std::vector<char> body;
  std::size_t count = 0;
  {
    byte_writer w(body);
    for (std::size_t i = 0; i < entries.size();) {
      const auto k = split(entries[i].first, key_size);
      ++count;
      write_entry_key(w, k);
      if (format.kind != state_kind::map) {
        if (!k.rest.empty())
          throw serialization_error(std::to_string(k.rest.size()) +
                                    " bytes follow the namespace of a key");
        if (format.kind == state_kind::list) {
          write_list(w, format, entries[i].second);
        } else {
          auto [stamp, value] = unstamp(format, entries[i].second);
          write_stamp(w, stamp);
          w.write_bytes(value.data(), value.size());
        }
        ++i;
        continue;
      }
      // A map: the entries sharing this key and namespace follow each other in key order.
      const std::string_view prefix(entries[i].first.data(), k.prefix_size);
      std::size_t end = i;
      while (end < entries.size() && entries[end].first.size() >= prefix.size() &&
             std::string_view(entries[end].first).substr(0, prefix.size()) == prefix)
        ++end;
      w.write_varint(end - i);
      for (; i < end; ++i) {
        auto [stamp, value] = unstamp(format, entries[i].second);
        const auto user_key = std::string_view(entries[i].first).substr(prefix.size());
        write_stamp(w, stamp);
        w.write_bytes(user_key.data(), user_key.size());
        w.write_bytes(value.data(), value.size());
      }
    }
  }
  std::vector<char> out;
  {
    byte_writer w(out);
    w.write_varint(count);
    w.write_bytes(body.data(), body.size());
  }
  return out;
}

} // namespace sluice
