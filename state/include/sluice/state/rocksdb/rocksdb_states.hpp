#pragma once
// The typed keyed states of the RocksDB backend that keep one value per key (value, reducing,
// aggregating; lists and maps are in rocksdb_list_map_states.hpp). Each turns the current key
// and namespace into a RocksDB key (rocksdb_layout.hpp), serializes values with serializer<T>,
// and reads and writes its column family through the byte-level rocksdb_instance, or, without
// TTL, through a write-back cache of deserialized values (rocksdb_value_cache.hpp). Every state
// reuses its key and value buffers, so an access allocates only what RocksDB, the value types
// and a cache entry for a key not cached do.

#include "sluice/state/keyed_state_backend.hpp"
#include "sluice/state/rocksdb/rocksdb_instance.hpp"
#include "sluice/state/rocksdb/rocksdb_layout.hpp"
#include "sluice/state/rocksdb/rocksdb_value_cache.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::detail {

/// Where a state lives: its backend (current key, clock), instance and column family.
struct rocksdb_state_context {
  keyed_state_backend& backend;
  rocksdb_instance& db;
  int cf;
  /// Entries of each value, reducing, aggregating and list state's cache
  /// (--state-cache-entries).
  std::size_t cache_entries = 0;
};

/// What every RocksDB state shares: building keys and reading and writing stamped values.
class rocksdb_state_core {
protected:
  rocksdb_state_core(const rocksdb_state_context& c, const state_descriptor_base& d)
      : backend_(c.backend), db_(c.db), cf_(c.cf), name_(d.name), ttl_(d.ttl) {}

  /// Writes the RocksDB key of the current key and namespace into key_; returns its size (map
  /// states append the map key after it).
  std::size_t build_key() {
    if (backend_.current_key_group() < 0)
      throw state_error("operator '" + backend_.owner() + "': state '" + name_ +
                        "' is used without a current key");
    key_.clear();
    rocksdb_layout::append_key_group(key_, backend_.current_key_group());
    const auto k = backend_.current_key_bytes();
    key_.insert(key_.end(), k.begin(), k.end());
    const auto ns = backend_.current_namespace();
    rocksdb_layout::append_varint(key_, ns.size());
    key_.insert(key_.end(), ns.begin(), ns.end());
    return key_.size();
  }
  std::string_view key() const { return {key_.data(), key_.size()}; }

  /// Whether the state has a write-back cache: one of `c.cache_entries` > 0 entries, without TTL.
  bool with_cache(const rocksdb_state_context& c) const {
    return c.cache_entries > 0 && !ttl_.enabled();
  }

  std::int64_t now() const { return backend_.clock().now_ms(); }
  /// Bytes before the serialized value: the stamp under TTL.
  std::size_t stamp_size() const { return ttl_.enabled() ? rocksdb_layout::stamp_bytes : 0; }
  bool expired(std::string_view stamped, std::int64_t now_ms) const {
    return ttl_.expired(rocksdb_layout::read_stamp(stamped), now_ms);
  }
  bool refresh_on_read() const {
    return ttl_.enabled() && ttl_.update == ttl_config::update_type::on_read_and_write;
  }

  /// Reads the value at key() into read_; false if there is none or it expired (then it is
  /// deleted, so it is never seen again). `reading` refreshes the stamp under
  /// on_read_and_write; a read for an update passes false, as the update stamps anyway.
  bool read_value(bool reading) {
    if (!db_.get(cf_, key(), read_))
      return false;
    if (!ttl_.enabled())
      return true;
    const auto t = now();
    if (expired(read_, t)) {
      db_.remove(cf_, key());
      return false;
    }
    if (reading && refresh_on_read()) {
      rocksdb_layout::write_stamp(read_.data(), t);
      db_.put(cf_, key(), read_);
    }
    return true;
  }

  /// The value read by read_value().
  template <class T> T read_payload() const {
    return from_bytes<T>(read_.data() + stamp_size(), read_.size() - stamp_size());
  }

  /// Writes `v`, stamped now under TTL, into `out` (cleared first).
  template <class T> void encode(std::vector<char>& out, const T& v) const {
    out.clear();
    if (ttl_.enabled())
      rocksdb_layout::append_stamp(out, now());
    byte_writer w(out);
    serialize(w, v);
  }

  /// Writes `v` at key().
  template <class T> void write_value(const T& v) {
    encode(value_, v);
    db_.put(cf_, key(), {value_.data(), value_.size()});
  }

  keyed_state_backend& backend_;
  rocksdb_instance& db_;
  int cf_;
  std::string name_;
  ttl_config ttl_;
  std::vector<char> key_;
  std::vector<char> value_;
  std::string read_;
};

/// A state that keeps one value per key and namespace (value, reducing, aggregating), stored as
/// a V: through a rocksdb_value_cache of context.cache_entries entries unless that is 0 or
/// the state has a TTL.
template <class Interface, class V>
class rocksdb_single_value_state : public Interface, protected rocksdb_state_core {
public:
  void clear() override {
    build_key();
    set(std::nullopt);
  }

protected:
  rocksdb_single_value_state(const rocksdb_state_context& c, const state_descriptor_base& d)
      : rocksdb_state_core(c, d) {
    if (with_cache(c))
      cache_.emplace(c.db, c.cf, c.cache_entries);
  }

  /// The value of key() (empty if none), valid until the next call; `reading` as read_value's.
  /// After changing it, call keep().
  std::optional<V>& held(bool reading) {
    if (!cache_) {
      uncached_ = fetch(reading);
      return uncached_;
    }
    last_ = &cache_->load(key(), [&] { return fetch(reading); });
    return last_->value;
  }

  /// Makes `v` the value of key() (empty: none), without reading the one it replaces.
  void set(std::optional<V>&& v) {
    if (cache_)
      cache_->assign(key(), std::move(v));
    else if (v)
      write_value(*v);
    else
      db_.remove(cf_, key());
  }

  /// Makes the value held() returned, as changed since, the value of key().
  void keep() {
    if (cache_)
      cache_->changed(*last_);
    else
      set(std::move(uncached_));
  }

private:
  std::optional<V> fetch(bool reading) {
    if (!read_value(reading))
      return std::nullopt;
    return read_payload<V>();
  }

  std::optional<rocksdb_value_cache<V>> cache_;
  typename rocksdb_value_cache<V>::entry* last_ = nullptr;
  std::optional<V> uncached_;
};

template <class T>
class rocksdb_value_state final : public rocksdb_single_value_state<value_state<T>, T> {
public:
  rocksdb_value_state(const rocksdb_state_context& c, const value_state_descriptor<T>& d)
      : rocksdb_single_value_state<value_state<T>, T>(c, d), default_(d.default_value) {}

  std::optional<T> value() override {
    this->build_key();
    const auto& v = this->held(true);
    return v ? v : default_;
  }
  void update(const T& v) override {
    this->build_key();
    this->set(v);
  }

private:
  std::optional<T> default_;
};

template <class T>
class rocksdb_reducing_state final : public rocksdb_single_value_state<reducing_state<T>, T> {
public:
  rocksdb_reducing_state(const rocksdb_state_context& c, const reducing_state_descriptor<T>& d)
      : rocksdb_single_value_state<reducing_state<T>, T>(c, d), reduce_(d.reduce) {}

  std::optional<T> get() override {
    this->build_key();
    return this->held(true);
  }
  void add(const T& v) override {
    this->build_key();
    auto& held = this->held(false);
    held = held ? reduce_(*held, v) : v;
    this->keep();
  }

private:
  std::function<T(const T&, const T&)> reduce_;
};

template <class In, class Acc, class Out>
class rocksdb_aggregating_state final
    : public rocksdb_single_value_state<aggregating_state<In, Out>, Acc> {
public:
  rocksdb_aggregating_state(const rocksdb_state_context& c,
                            const aggregating_state_descriptor<In, Acc, Out>& d)
      : rocksdb_single_value_state<aggregating_state<In, Out>, Acc>(c, d), f_(d.functions) {}

  std::optional<Out> get() override {
    this->build_key();
    const auto& acc = this->held(true);
    if (!acc)
      return std::nullopt;
    return f_.get_result(*acc);
  }
  void add(const In& v) override {
    this->build_key();
    auto& acc = this->held(false);
    acc = f_.add(acc ? std::move(*acc) : f_.create_accumulator(), v);
    this->keep();
  }

private:
  aggregate_functions<In, Acc, Out> f_;
};

} // namespace sluice::detail
