#pragma once
// List and map state of the RocksDB backend. A list is one RocksDB value of length-prefixed
// elements, appended to by merges (no read per add) unless it is cached; a map keeps each entry
// under its own RocksDB key (the state's key prefix followed by the map key's bytes), so an entry
// is read or written alone and the entries of a key are one prefix scan, ordered by the map
// keys' bytes.

#include "sluice/state/rocksdb/rocksdb_states.hpp"

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::detail {

/// How a cached list is stored: its elements' serializer bytes, each length-prefixed.
struct list_elements {
  template <class T> void encode(std::vector<char>& out, const std::vector<T>& vs) {
    for (const auto& v : vs) {
      element.clear();
      {
        byte_writer w(element); // trims `element` to what it wrote when it goes
        serialize(w, v);
      }
      rocksdb_layout::append_element(out, {element.data(), element.size()});
    }
  }
  std::vector<char> element;
};

/// Without TTL, a list read or replaced stays in a rocksdb_value_cache of
/// context.cache_entries lists (none if 0): adds to a cached list append to it in memory, adds to
/// another merge into RocksDB without reading it.
template <class T> class rocksdb_list_state final : public list_state<T>, rocksdb_state_core {
public:
  rocksdb_list_state(const rocksdb_state_context& c, const list_state_descriptor<T>& d)
      : rocksdb_state_core(c, d) {
    if (with_cache(c))
      cache_.emplace(c.db, c.cf, c.cache_entries);
  }

  std::vector<T> get() override {
    build_key();
    if (cache_) {
      const auto& held = cache_->load(key(), [&] { return read_list(); }).value;
      return held ? *held : std::vector<T>{};
    }
    std::vector<T> out;
    if (!db_.get(cf_, key(), read_))
      return out;
    const auto t = now();
    bool dropped = false;
    rocksdb_layout::for_each_element(read_, [&](std::string_view e) {
      if (ttl_.enabled() && expired(e, t))
        dropped = true;
      else
        out.push_back(from_bytes<T>(e.data() + stamp_size(), e.size() - stamp_size()));
    });
    if (dropped || refresh_on_read())
      rewrite_live(t);
    return out;
  }

  void add(const T& v) override {
    build_key();
    if (auto* held = cached()) {
      held->push_back(v);
      return;
    }
    value_.clear();
    append(v);
    db_.merge(cf_, key(), {value_.data(), value_.size()});
  }

  void add_all(const std::vector<T>& vs) override {
    if (vs.empty())
      return;
    build_key();
    if (auto* held = cached()) {
      held->insert(held->end(), vs.begin(), vs.end());
      return;
    }
    value_.clear();
    for (const auto& v : vs)
      append(v);
    db_.merge(cf_, key(), {value_.data(), value_.size()});
  }

  void update(const std::vector<T>& vs) override {
    build_key();
    if (cache_) {
      cache_->assign(key(), vs.empty() ? std::nullopt : std::optional<std::vector<T>>(vs));
      return;
    }
    if (vs.empty()) {
      db_.remove(cf_, key());
      return;
    }
    value_.clear();
    for (const auto& v : vs)
      append(v);
    db_.put(cf_, key(), {value_.data(), value_.size()});
  }

  void clear() override {
    build_key();
    if (cache_)
      cache_->assign(key(), std::nullopt);
    else
      db_.remove(cf_, key());
  }

private:
  /// The cached list of key(), marked changed (made empty if it had none), or nullptr if it is
  /// not cached.
  std::vector<T>* cached() {
    auto* e = cache_ ? cache_->find(key()) : nullptr;
    if (e == nullptr)
      return nullptr;
    cache_->changed(*e);
    if (!e->value)
      e->value.emplace();
    return &*e->value;
  }

  /// The list RocksDB holds at key() (no TTL), or none.
  std::optional<std::vector<T>> read_list() {
    if (!db_.get(cf_, key(), read_))
      return std::nullopt;
    std::vector<T> out;
    rocksdb_layout::for_each_element(
        read_, [&](std::string_view e) { out.push_back(from_bytes<T>(e.data(), e.size())); });
    return out;
  }

  /// Appends the element `v` to value_.
  void append(const T& v) {
    encode(element_, v);
    rocksdb_layout::append_element(value_, {element_.data(), element_.size()});
  }

  /// Writes back the list just read without its expired elements (the stamps of the rest
  /// refreshed under on_read_and_write), or deletes it if none is left.
  void rewrite_live(std::int64_t t) {
    value_.clear();
    rocksdb_layout::for_each_element(read_, [&](std::string_view e) {
      if (expired(e, t))
        return;
      rocksdb_layout::append_element(value_, e);
      if (refresh_on_read())
        rocksdb_layout::write_stamp(value_.data() + value_.size() - e.size(), t);
    });
    if (value_.empty())
      db_.remove(cf_, key());
    else
      db_.put(cf_, key(), {value_.data(), value_.size()});
  }

  std::vector<char> element_;
  std::optional<rocksdb_value_cache<std::vector<T>, list_elements>> cache_;
};

template <class UK, class UV>
class rocksdb_map_state final : public map_state<UK, UV>, rocksdb_state_core {
public:
  rocksdb_map_state(const rocksdb_state_context& c, const map_state_descriptor<UK, UV>& d)
      : rocksdb_state_core(c, d) {}

  std::optional<UV> get(const UK& k) override {
    build_entry_key(k);
    if (!read_value(true))
      return std::nullopt;
    return read_payload<UV>();
  }
  void put(const UK& k, const UV& v) override {
    build_entry_key(k);
    write_value(v);
  }
  bool contains(const UK& k) override {
    build_entry_key(k);
    return read_value(true);
  }
  void remove(const UK& k) override {
    build_entry_key(k);
    db_.remove(cf_, key());
  }

  std::vector<std::pair<UK, UV>> entries() override {
    std::vector<std::pair<UK, UV>> out;
    scan_live([&](std::string_view map_key, std::string_view value) {
      out.emplace_back(from_bytes<UK>(map_key.data(), map_key.size()),
                       from_bytes<UV>(value.data(), value.size()));
      return true;
    });
    return out;
  }

  bool is_empty() override {
    bool empty = true;
    scan_live([&](std::string_view, std::string_view) { return empty = false; });
    return empty;
  }

  void clear() override {
    build_key();
    db_.scan(cf_, key(), [&](std::string_view k, std::string_view) {
      db_.remove(cf_, k);
      return true;
    });
  }

private:
  void build_entry_key(const UK& k) {
    build_key();
    byte_writer w(key_);
    serialize(w, k);
  }

  /// Calls f(map key bytes, value bytes) on the current key's unexpired entries, in order, until
  /// f returns false; expired entries met on the way are deleted, and under on_read_and_write
  /// the stamps of those passed to f are refreshed.
  template <class F> void scan_live(F&& f) {
    const auto prefix = build_key();
    const auto t = now();
    db_.scan(cf_, key(), [&](std::string_view k, std::string_view v) {
      if (ttl_.enabled() && expired(v, t)) {
        db_.remove(cf_, k);
        return true;
      }
      if (refresh_on_read()) {
        read_.assign(v.data(), v.size());
        rocksdb_layout::write_stamp(read_.data(), t);
        db_.put(cf_, k, read_);
      }
      return f(k.substr(prefix), v.substr(stamp_size()));
    });
  }
};

} // namespace sluice::detail
