#pragma once
// A typed table of one value per (key, namespace), for an operator that keeps such values of
// its own (the window operator's accumulators, per key and window): as keyed_table.hpp, the
// backend decides where they live, so the operator never asks which backend runs. On the heap,
// the table's own open-addressing map, whose slot keeps the key and the namespace packed into
// 64 bits (for windows of one size, the window's end: a 64-bit key and a 16-byte value fill 32
// bytes), which prefetch() loads ahead of use and which joins snapshots as a participant in the
// heap form of a state of descriptor D and the table's name (value_state_sections.hpp); on
// RocksDB, that state, in the namespace's byte form. Either way a snapshot has one form, and
// one backend's snapshot (or the state's own, written by an operator that keeps it as a state)
// restores into the other, at any parallelism. On the heap the table flags the key groups it
// changes (key_group_changes.hpp), so an incremental snapshot writes the sections of the key
// groups changed since the previous one only.
//
// Packing P turns a namespace into the heap slot's 64-bit word and back:
//   std::int64_t pack(const N&) const;   never INT64_MIN (the mark of a free slot)
//   N unpack(std::int64_t) const;
//   void check(const N&) const;          throws state_error for a restored namespace it cannot
//                                        pack (unpack(pack(n)) would not give n back)

#include "sluice/state/flat_hash_map.hpp"
#include "sluice/state/key_group_changes.hpp"
#include "sluice/state/key_hash.hpp"
#include "sluice/state/keyed_table_state.hpp"
#include "sluice/state/value_state_sections.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

template <class K, class N, class V, class D, class P>
class keyed_namespace_table final : keyed_snapshot_participant {
public:
  /// Attaches the table to `backend` under `name`, taking the values restored into it. The
  /// operator declares the key type first (keyed_state_backend::set_key_type<K>).
  void open(keyed_state_backend& backend, const std::string& name, P packing) {
    backend_ = &backend;
    packing_ = std::move(packing);
    on_heap_ = state_.open(backend, name, *this, sections::signature());
  }

  /// Makes the value of (key, ns) init() if it has none, else applies update(value&) to it;
  /// returns the value now held, valid until the next call on the table.
  template <class Init, class Update>
  const V& upsert(const K& key, const N& ns, Init&& init, Update&& update) {
    if (on_heap_) {
      const view v = view_of(key, ns);
      changes_.mark_hash(v.key_hash);
      auto [value, inserted] = map_.try_emplace(v, detail::lazy_value<V, Init>{init});
      if (!inserted)
        update(*value);
      return *value;
    }
    use(key, ns);
    return state_.upsert(init, update);
  }

  /// The value of (key, ns), or nullptr; valid until the next call on the table.
  const V* find(const K& key, const N& ns) {
    if (on_heap_)
      return map_.find(view_of(key, ns));
    use(key, ns);
    return state_.find();
  }

  /// Removes the value of (key, ns), if any.
  void erase(const K& key, const N& ns) {
    if (on_heap_) {
      const view v = view_of(key, ns);
      if (map_.erase(v))
        changes_.mark_hash(v.key_hash);
      return;
    }
    use(key, ns);
    state_.erase();
  }

  /// Hints that (key, ns) is used soon: on the heap, starts loading its slot into the cache.
  void prefetch(const K& key, const N& ns) const {
    if (on_heap_)
      map_.prefetch(view_of(key, ns));
  }

  /// The heap's snapshot: each (key, namespace)'s value in its key group, in the state's form.
  void write_snapshot(key_group_sink& out) override {
    sections::write(out, backend_->max_parallelism(), [&](auto&& f) {
      map_.for_each([&](const entry& e, const V& v) { f(e.key, packing_.unpack(e.packed), v); });
    });
  }
  void read_key_group(int, byte_reader& in) override {
    sections::read(in, [&](K&& key, N&& ns, V&& value) {
      packing_.check(ns);
      map_.try_emplace(view_of(key, ns), std::move(value));
    });
  }
  /// The heap's entries (on RocksDB the backend counts the state's).
  std::optional<std::size_t> entry_count() const override { return map_.size(); }
  key_group_changes* changes() override { return &changes_; }

private:
  using sections = value_state_sections<K, V, D, N>;

  static constexpr std::int64_t free_slot = std::numeric_limits<std::int64_t>::min();

  /// A lookup key: the key by pointer, so a lookup copies nothing, with its key_hash (for the
  /// slot and the key group alike).
  struct view {
    const K* key;
    std::int64_t packed;
    std::uint64_t key_hash;
  };
  view view_of(const K& key, const N& ns) const {
    return {&key, packing_.pack(ns), sluice::key_hash(key)};
  }
  struct entry {
    K key{};
    std::int64_t packed = free_slot;
    entry() = default;
    explicit entry(const view& v) : key(*v.key), packed(v.packed) {}
    bool occupied() const { return packed != free_slot; }
    bool operator==(const view& v) const { return packed == v.packed && key == *v.key; }
  };
  struct entry_hash {
    std::uint64_t operator()(const entry& e) const { return of(key_hash(e.key), e.packed); }
    std::uint64_t operator()(const view& v) const { return of(v.key_hash, v.packed); }
    static std::uint64_t of(std::uint64_t key_hash, std::int64_t packed) {
      return key_hash + static_cast<std::uint64_t>(packed) * 0x9E3779B97F4A7C15ULL;
    }
  };

  /// Off the heap: makes (key, ns) the backend's current key and namespace.
  void use(const K& key, const N& ns) {
    detail::use_key_namespace(*backend_, key, &ns, ns_bytes_);
  }

  keyed_state_backend* backend_ = nullptr;
  P packing_{};
  bool on_heap_ = false;
  /// On the heap: the values, and the key groups they changed.
  flat_hash_map<entry, V, entry_hash> map_;
  key_group_changes changes_;
  /// On RocksDB: the state holding them, and the namespace's byte form.
  detail::table_state<D> state_;
  std::vector<char> ns_bytes_;
};

} // namespace sluice
