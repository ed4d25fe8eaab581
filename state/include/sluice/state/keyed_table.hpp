#pragma once
// A typed table of one value per key, for an operator that keeps per-key values of its own
// (the rolling reduce): the backend decides where they live, so the operator never asks which
// backend runs. On the heap, the table's own open-addressing map (flat_hash_map.hpp), which
// prefetch() loads ahead of use and which joins snapshots as a participant in the heap form of
// a value state of the table's name (value_state_sections.hpp); on RocksDB, a value state of
// that name (so the values may outgrow memory). Either way a snapshot has one form, and one
// backend's snapshot restores into the other, at any parallelism. On the heap the table flags
// the key groups it changes (tracked_flat_hash_map.hpp), so an incremental snapshot writes the
// sections of the key groups changed since the previous one only.
//
// The hot path on the heap is one predictable branch (heap or not) per call, no virtual call.

#include "sluice/state/heap/tracked_flat_hash_map.hpp"
#include "sluice/state/keyed_table_state.hpp"
#include "sluice/state/value_state_sections.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

namespace sluice {

template <class K, class V> class keyed_table final : keyed_snapshot_participant {
public:
  /// Attaches the table to `backend` under `name`, taking the values restored into it. The
  /// operator declares the key type first (keyed_state_backend::set_key_type<K>).
  void open(keyed_state_backend& backend, const std::string& name) {
    backend_ = &backend;
    on_heap_ = state_.open(backend, name, *this, sections::signature());
  }

  /// Makes the value of `key` init() if it has none, else applies update(value&) to it;
  /// returns the value now held, valid until the next call on the table.
  template <class Init, class Update> const V& upsert(const K& key, Init&& init, Update&& update) {
    if (on_heap_) {
      auto [value, inserted] = map_.try_emplace(key, detail::lazy_value<V, Init>{init});
      if (!inserted)
        update(*value);
      return *value;
    }
    use(key);
    return state_.upsert(init, update);
  }

  /// The value of `key`, or nullptr; valid until the next call on the table.
  const V* find(const K& key) {
    if (on_heap_)
      return map_.find(key);
    use(key);
    return state_.find();
  }

  /// Removes the value of `key`, if any.
  void erase(const K& key) {
    if (on_heap_) {
      map_.erase(key);
      return;
    }
    use(key);
    state_.erase();
  }

  /// Hints that `key` is used soon: on the heap, starts loading its slot into the cache.
  void prefetch(const K& key) const {
    if (on_heap_)
      map_.prefetch(key);
  }

  /// The heap's snapshot: each key's value in its key group, in the value state's form.
  void write_snapshot(key_group_sink& out) override {
    sections::write(out, backend_->max_parallelism(),
                    [&](auto&& f) { map_.for_each([&](const K& k, const V& v) { f(k, v); }); });
  }
  void read_key_group(int, byte_reader& in) override {
    sections::read(in, [&](K&& key, V&& value) { map_.try_emplace(key, std::move(value)); });
  }
  /// The heap's entries (on RocksDB the backend counts the value state's).
  std::optional<std::size_t> entry_count() const override { return map_.size(); }
  key_group_changes* changes() override { return &map_.changes(); }

private:
  using sections = value_state_sections<K, V>;

  /// Off the heap: makes `key` the backend's current key, outside any namespace.
  void use(const K& key) {
    backend_->set_current_key(key);
    backend_->set_current_namespace({});
  }

  keyed_state_backend* backend_ = nullptr;
  bool on_heap_ = false;
  /// On the heap: the values, with the key groups they changed.
  tracked_flat_hash_map<K, V> map_;
  /// On RocksDB: the value state holding them.
  detail::table_state<value_state_descriptor<V>> state_;
};

} // namespace sluice
