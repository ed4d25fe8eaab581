#pragma once
// The heap backend's map state: per key (and namespace) a std::map from the byte form of each
// user key to the typed entry, so entries() comes out in the byte order RocksDB iterates in.
// TTL stamps are per user key, as in Flink; an expired user entry is removed when met.

#include "sluice/state/heap/heap_states.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::detail {

template <class UK, class UV>
class heap_map_state final : public heap_state<map_state<UK, UV>, map_traits<UK, UV>> {
  using base = heap_state<map_state<UK, UV>, map_traits<UK, UV>>;
  using typename base::stored;

public:
  using base::base;

  std::optional<UV> get(const UK& key) override {
    auto* e = find_live(key);
    return e ? std::optional<UV>(e->value) : std::nullopt;
  }
  void put(const UK& key, const UV& value) override {
    auto& entry = (*this->table_.find_or_create().first)[key_bytes(key)];
    entry.key = key;
    entry.value = value;
    if (this->table_.ttl().enabled())
      entry.stamp = this->table_.now();
  }
  bool contains(const UK& key) override { return find_live(key) != nullptr; }
  void remove(const UK& key) override {
    if (auto* m = this->table_.find()) {
      m->erase(key_bytes(key));
      this->table_.mark_dirty();
      drop_if_empty(*m);
    }
  }
  std::vector<std::pair<UK, UV>> entries() override {
    std::vector<std::pair<UK, UV>> out;
    auto* m = prune_current();
    if (!m)
      return out;
    const bool refresh = this->refreshes_on_read();
    const auto now = refresh ? this->table_.now() : 0;
    if (refresh)
      this->table_.mark_dirty();
    for (auto& [bytes, e] : *m) {
      if (refresh)
        e.stamp = now;
      out.emplace_back(e.key, e.value);
    }
    return out;
  }
  bool is_empty() override { return prune_current() == nullptr; }

private:
  /// The current key's user map with its expired entries removed, or nullptr if none is left.
  stored* prune_current() {
    auto* m = this->table_.find();
    if (!m)
      return nullptr;
    if (this->table_.ttl().enabled())
      map_traits<UK, UV>::prune(*m, this->table_.ttl(), this->table_.now());
    return drop_if_empty(*m) ? nullptr : m;
  }

  /// The live entry of `key`, refreshed on read if so configured; nullptr if none.
  map_entry<UK, UV>* find_live(const UK& key) {
    auto* m = this->table_.find();
    if (!m)
      return nullptr;
    auto it = m->find(key_bytes(key));
    if (it == m->end())
      return nullptr;
    if (this->table_.ttl().enabled()) {
      const auto now = this->table_.now();
      if (this->table_.ttl().expired(it->second.stamp, now)) {
        m->erase(it);
        this->table_.mark_dirty();
        drop_if_empty(*m);
        return nullptr;
      }
      if (this->refreshes_on_read()) {
        it->second.stamp = now;
        this->table_.mark_dirty();
      }
    }
    return &it->second;
  }

  /// Removes the current key's entry once its user map is empty; returns whether it did.
  bool drop_if_empty(stored& m) {
    if (!m.empty())
      return false;
    this->table_.erase();
    return true;
  }

  /// The byte form of `key`, in buffers reused across calls.
  const std::string& key_bytes(const UK& key) {
    scratch_.clear();
    {
      byte_writer w(scratch_);
      serialize(w, key);
    }
    bytes_.assign(scratch_.data(), scratch_.size());
    return bytes_;
  }

  std::vector<char> scratch_;
  std::string bytes_;
};

} // namespace sluice::detail
