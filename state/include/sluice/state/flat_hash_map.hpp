#pragma once
// An open-addressing hash table for keyed state on the heap: keys and values live inline in
// one array (linear probing, load factor <= 1/2), so a lookup costs one cache miss where
// std::unordered_map costs two (bucket, then node), and prefetch() can hide that one miss when
// the keys of the next records are known (batch-at-a-time processing).
// Slots are chosen by the high bits of key_hash * a Fibonacci constant: the low bits of
// key_hash pick the key group, so within one subtask they are far from uniform.
// Hash gives the 64-bit hash of a key (key_hash by default); lookups take any type Q that Hash
// hashes and that compares equal (K == Q) to the keys it stands for, and an insertion makes
// its key as K(q), so a key type may carry its hash and be looked up through a cheap view.

#include "sluice/state/key_hash.hpp"
#include "sluice/state/prefetch.hpp"

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice {

/// Whether K says if a slot holding it is occupied (k.occupied(), false for K{}); flat_hash_map
/// then keeps no flag per slot.
template <class K, class = void>
struct marks_occupancy : std::false_type {};
template <class K>
struct marks_occupancy<K, std::void_t<decltype(std::declval<const K&>().occupied())>>
    : std::true_type {};

/// The default hash of flat_hash_map: key_hash of K.
template <class K>
struct stable_key_hash {
  std::uint64_t operator()(const K& key) const { return key_hash(key); }
};

template <class K, class V, class Hash = stable_key_hash<K>>
class flat_hash_map {
public:
  /// The capacity of a new table; it doubles when an insertion would fill more than half, so
  /// capacity() never exceeds max(min_capacity, 4 * the largest size the table reached).
  static constexpr std::size_t min_capacity = 16;

  flat_hash_map() { rehash(min_capacity); }

  /// The value of `key`, built from args if absent, and whether it was inserted. The pointer
  /// stays valid until the next insertion.
  template <class Q, class... Args>
  std::pair<V*, bool> try_emplace(const Q& key, Args&&... args) {
    for (auto i = slot_of(Hash{}(key));; i = (i + 1) & mask_) {
      auto& s = slots_[i];
      if (!s.occupied()) {
        if (2 * (size_ + 1) > slots_.size()) {
          rehash(2 * slots_.size());
          return try_emplace(key, std::forward<Args>(args)...);
        }
        s.key = K(key);
        s.mark_used();
        s.value = V(std::forward<Args>(args)...);
        ++size_;
        return {&s.value, true};
      }
      if (s.key == key)
        return {&s.value, false};
    }
  }

  /// The value of `key`, or nullptr.
  template <class Q>
  V* find(const Q& key) {
    for (auto i = slot_of(Hash{}(key));; i = (i + 1) & mask_) {
      auto& s = slots_[i];
      if (!s.occupied())
        return nullptr;
      if (s.key == key)
        return &s.value;
    }
  }

  /// Starts loading the slot of `key` into the cache.
  template <class Q>
  void prefetch(const Q& key) const {
    const auto i = slot_of(Hash{}(key));
    prefetch_line(&slots_[i]);
    prefetch_line(&slots_[(i + 1) & mask_]);
  }

  /// Removes `key`; returns whether it was present (backward-shift deletion, no tombstones).
  template <class Q>
  bool erase(const Q& key) {
    for (auto i = slot_of(Hash{}(key));; i = (i + 1) & mask_) {
      if (!slots_[i].occupied())
        return false;
      if (slots_[i].key == key) {
        erase_at(i);
        return true;
      }
    }
  }

  // Slot-level access, for walking the table a few slots at a time across calls (TTL cleanup).

  /// The number of slots; slot indices run over [0, capacity()).
  std::size_t capacity() const { return slots_.size(); }

  /// The entry in slot `i`, or {nullptr, nullptr} if the slot is free.
  std::pair<const K*, V*> entry_at(std::size_t i) {
    auto& s = slots_[i];
    return s.occupied() ? std::pair<const K*, V*>(&s.key, &s.value) : std::pair<const K*, V*>();
  }

  /// Removes the entry in the used slot `i`. A later entry may move into slot i, so a walk
  /// that erases visits slot i again.
  void erase_at(std::size_t i) {
    for (auto j = (i + 1) & mask_; slots_[j].occupied(); j = (j + 1) & mask_) {
      auto home = slot_of(Hash{}(slots_[j].key));
      // j may fill the hole at i unless its home lies cyclically in (i, j].
      bool stays = i < j ? (home > i && home <= j) : (home > i || home <= j);
      if (!stays) {
        slots_[i] = std::move(slots_[j]);
        i = j;
      }
    }
    slots_[i] = slot{};
    --size_;
  }

  /// Calls f(key, value) for every entry.
  template <class F>
  void for_each(F&& f) {
    for (auto& s : slots_)
      if (s.occupied())
        f(static_cast<const K&>(s.key), s.value);
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

private:
  /// A slot with a flag telling whether it holds an entry.
  struct flagged_slot {
    K key{};
    V value{};
    bool used = false;
    bool occupied() const { return used; }
    void mark_used() { used = true; }
  };
  /// A slot of a key type that tells it itself (key.occupied(); a default key is not): no flag.
  struct self_marking_slot {
    K key{};
    V value{};
    bool occupied() const { return key.occupied(); }
    void mark_used() {}
  };
  using slot_fields =
      std::conditional_t<marks_occupancy<K>::value, self_marking_slot, flagged_slot>;
  /// Slots of 33 to 64 bytes take a whole cache line each, and 32-byte slots half of one, so
  /// that reading a slot touches one line; smaller slots keep their size (24-byte slots would
  /// grow by a third).
  static constexpr std::size_t slot_alignment =
      sizeof(slot_fields) > 32 && sizeof(slot_fields) <= 64 ? 64
      : sizeof(slot_fields) == 32                           ? 32
                                                            : alignof(slot_fields);
  struct alignas(slot_alignment) slot : slot_fields {};

  std::size_t slot_of(std::uint64_t hash) const {
    return static_cast<std::size_t>((hash * 0x9E3779B97F4A7C15ULL) >> shift_);
  }

  void rehash(std::size_t capacity) {
    std::vector<slot> old = std::move(slots_);
    slots_.assign(capacity, slot{});
    mask_ = capacity - 1;
    shift_ = 64;
    for (auto c = capacity; c > 1; c >>= 1)
      --shift_;
    size_ = 0;
    for (auto& s : old) {
      if (!s.occupied())
        continue;
      auto i = slot_of(Hash{}(s.key));
      while (slots_[i].occupied())
        i = (i + 1) & mask_;
      slots_[i] = std::move(s);
      ++size_;
    }
  }

  std::vector<slot> slots_;
  std::size_t mask_ = 0;
  int shift_ = 64;
  std::size_t size_ = 0;
};

} // namespace sluice
