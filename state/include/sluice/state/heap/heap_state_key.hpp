#pragma once
// The key of a heap state entry: the byte form of the key followed by the namespace's, with the
// hash_bytes of those bytes. The hash is computed once per current key and namespace
// (keyed_state_backend::current_state_key) and kept in the entry, so a probe compares hashes
// before bytes, rehashing never rereads the bytes, and short keys (a fixed-size key plus a
// window's 16 bytes) stay inline: only keys longer than inline_capacity bytes allocate.

#include "sluice/state/key_hash.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sluice::detail {

/// Bytes and their hash_bytes, not owned.
struct state_key_view {
  std::string_view bytes;
  std::uint64_t hash = 0;

  explicit state_key_view(std::string_view b = {})
      : bytes(b), hash(hash_bytes(b.data(), b.size())) {}
  state_key_view(std::string_view b, std::uint64_t h) : bytes(b), hash(h) {}
};

/// a == b: short strings by a few overlapping word loads that stay within both, instead of a
/// call to memcmp.
inline bool same_bytes(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  if (n != b.size())
    return false;
  const char* p = a.data();
  const char* q = b.data();
  const auto word = [](const char* at) {
    std::uint64_t w;
    std::memcpy(&w, at, 8);
    return w;
  };
  if (n >= 8 && n <= 16)
    return ((word(p) ^ word(q)) | (word(p + n - 8) ^ word(q + n - 8))) == 0;
  if (n > 16 && n <= 32)
    return ((word(p) ^ word(q)) | (word(p + 8) ^ word(q + 8)) |
            (word(p + n - 16) ^ word(q + n - 16)) | (word(p + n - 8) ^ word(q + n - 8))) == 0;
  return a == b;
}

/// 32 bytes: up to inline_capacity bytes inline, else a pointer and a size; and a tag, the hash
/// with its low byte replaced by 0x80 | the size (0xff for keys stored out of line), so that one
/// comparison of tags rules out nearly every other key and tells inline sizes apart, and no tag
/// is 0 (a free slot of compact_state_key).
class heap_state_key {
public:
  /// Keys up to this many bytes are stored inline.
  static constexpr std::size_t inline_capacity = 24;

  /// The tag of bytes `v` (the hash flat_hash_map sees).
  static std::uint64_t tag_of(const state_key_view& v) {
    const auto size = v.bytes.size();
    return (v.hash & ~std::uint64_t{0xff}) |
           (size <= inline_capacity ? inline_mark | size : out_of_line);
  }

  heap_state_key() = default;
  explicit heap_state_key(const state_key_view& v) { assign(v); }
  heap_state_key(const heap_state_key& o) { assign(o.view()); }
  heap_state_key(heap_state_key&& o) noexcept { steal(o); }
  heap_state_key& operator=(const heap_state_key& o) {
    if (this != &o) {
      release();
      assign(o.view());
    }
    return *this;
  }
  heap_state_key& operator=(heap_state_key&& o) noexcept {
    if (this != &o) {
      release();
      steal(o);
    }
    return *this;
  }
  ~heap_state_key() { release(); }

  std::string_view bytes() const {
    return is_inline() ? std::string_view(inline_, tag_ & size_mask)
                       : std::string_view(heap_.data, heap_.size);
  }
  std::uint64_t tag() const { return tag_; }
  /// The key's bytes and hash (the hash's low byte is lost; tag_of ignores it).
  state_key_view view() const { return {bytes(), tag_}; }

  friend bool operator==(const heap_state_key& k, const state_key_view& v) {
    return k.tag_ == tag_of(v) && same_bytes(k.bytes(), v.bytes);
  }
  friend bool operator==(const heap_state_key& a, const heap_state_key& b) {
    return a.tag_ == b.tag_ && same_bytes(a.bytes(), b.bytes());
  }

private:
  static constexpr std::uint64_t out_of_line = 0xff;
  static constexpr std::uint64_t inline_mark = 0x80;
  static constexpr std::uint64_t size_mask = 0x7f;

  bool is_inline() const { return (tag_ & 0xff) != out_of_line; }

  void assign(const state_key_view& v) {
    tag_ = tag_of(v);
    const auto size = v.bytes.size();
    char* to = inline_;
    if (!is_inline()) {
      heap_.data = to = new char[size];
      heap_.size = size;
    }
    if (size != 0)
      std::memcpy(to, v.bytes.data(), size);
  }
  void steal(heap_state_key& o) noexcept {
    tag_ = o.tag_;
    std::memcpy(inline_, o.inline_, inline_capacity);
    o.tag_ = 0;
  }
  void release() {
    if (!is_inline())
      delete[] heap_.data;
    tag_ = 0;
  }

  union {
    char inline_[inline_capacity] = {};
    struct {
      char* data;
      std::size_t size;
    } heap_;
  };
  std::uint64_t tag_ = 0;
};

/// 16 bytes: a key of at most 8 bytes (an integral key outside any namespace, the common case)
/// inline, with the tag of heap_state_key. Tables keep their keys in this form until a longer
/// one arrives, so that an entry of a 64-bit key and value takes half a cache line.
class compact_state_key {
public:
  static constexpr std::size_t capacity = 8;
  static bool fits(const state_key_view& v) { return v.bytes.size() <= capacity; }

  compact_state_key() = default;
  /// `v` must fit.
  explicit compact_state_key(const state_key_view& v) : tag_(heap_state_key::tag_of(v)) {
    if (!v.bytes.empty())
      std::memcpy(bytes_, v.bytes.data(), v.bytes.size());
  }

  std::string_view bytes() const { return std::string_view(bytes_, tag_ & 0x7f); }
  /// False for a default (free) key: every tag of bytes has its 0x80 bit set.
  bool occupied() const { return tag_ != 0; }
  std::uint64_t tag() const { return tag_; }
  /// The key's bytes and hash (the hash's low byte is lost; tag_of ignores it).
  state_key_view view() const { return {bytes(), tag_}; }

  friend bool operator==(const compact_state_key& k, const state_key_view& v) {
    return k.tag_ == heap_state_key::tag_of(v) && same_bytes(k.bytes(), v.bytes);
  }
  friend bool operator==(const compact_state_key& a, const compact_state_key& b) {
    return a.tag_ == b.tag_ && same_bytes(a.bytes(), b.bytes());
  }

private:
  std::uint64_t tag_ = 0;
  char bytes_[capacity] = {};
};

/// flat_hash_map's hash of heap state keys and their views: the hash they carry.
struct heap_state_key_hash {
  std::uint64_t operator()(const heap_state_key& k) const { return k.tag(); }
  std::uint64_t operator()(const compact_state_key& k) const { return k.tag(); }
  std::uint64_t operator()(const state_key_view& v) const { return heap_state_key::tag_of(v); }
};

} // namespace sluice::detail
