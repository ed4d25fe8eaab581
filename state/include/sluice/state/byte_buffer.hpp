#pragma once
// The byte form of values: an appending writer and a bounds-checked reader.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice {

/// Thrown when a buffer is truncated or malformed; never an out-of-bounds read.
class serialization_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Appends bytes to a vector through a cursor. While the writer lives the vector may hold
/// spare bytes past the cursor (so a write is a bounds check and a memcpy); finish(), or the
/// destructor, trims the vector to exactly the bytes written. Read the vector only after that.
class byte_writer {
public:
  byte_writer() = default;
  /// Appends after out's current contents.
  explicit byte_writer(std::vector<char>& out) : out_(&out), pos_(out.size()) {}
  /// Writes from position `pos` of out; out's bytes from pos on are spare room. (With pos 0, a
  /// buffer rewritten with bytes of the same length is never resized.)
  byte_writer(std::vector<char>& out, std::size_t pos) : out_(&out), pos_(pos) {}
  byte_writer(const byte_writer&) = delete;
  byte_writer& operator=(const byte_writer&) = delete;
  ~byte_writer() { finish(); }

  /// Continues in `out` from position `pos` (call finish() first to trim the vector before).
  void reset(std::vector<char>& out, std::size_t pos) {
    out_ = &out;
    pos_ = pos;
  }

  /// Always inlined: serializers write fixed sizes, and an inlined copy of a constant size is a
  /// move or two, where a call costs more than the copy.
  [[gnu::always_inline]] void write_bytes(const void* data, std::size_t n) {
    if (n > out_->size() - pos_)
      grow(n);
    if (n != 0)
      std::memcpy(out_->data() + pos_, data, n);
    pos_ += n;
  }

  /// LEB128 unsigned varint (1..10 bytes).
  void write_varint(std::uint64_t v) {
    char tmp[10];
    std::size_t n = 0;
    while (v >= 0x80) {
      tmp[n++] = static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    tmp[n++] = static_cast<char>(v);
    write_bytes(tmp, n);
  }

  /// Bytes in the vector up to the cursor.
  std::size_t size() const { return pos_; }

  /// Trims the vector to the bytes written.
  void finish() {
    if (out_ && out_->size() != pos_)
      out_->resize(pos_);
  }

private:
  [[gnu::noinline]] void grow(std::size_t n) {
    out_->resize(std::max(pos_ + n, 2 * out_->size() + 32));
  }

  std::vector<char>* out_ = nullptr;
  std::size_t pos_ = 0;
};

/// Reads from a byte range; every read is checked and throws serialization_error past the end.
class byte_reader {
public:
  byte_reader(const char* data, std::size_t size) : pos_(data), end_(data + size) {}
  explicit byte_reader(const std::vector<char>& buf) : byte_reader(buf.data(), buf.size()) {}
  /// A reader never owns its bytes: reading a temporary buffer would dangle.
  explicit byte_reader(std::vector<char>&&) = delete;

  /// Always inlined, as byte_writer::write_bytes.
  [[gnu::always_inline]] void read_bytes(void* dst, std::size_t n) {
    require(n);
    if (n != 0)
      std::memcpy(dst, pos_, n);
    pos_ += n;
  }

  /// Returns a pointer to the next n bytes and skips them.
  const char* take(std::size_t n) {
    require(n);
    auto p = pos_;
    pos_ += n;
    return p;
  }

  std::uint64_t read_varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      require(1);
      auto byte = static_cast<unsigned char>(*pos_++);
      if (shift == 63 && byte > 1)
        throw serialization_error("varint overflows 64 bits");
      v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0)
        return v;
    }
    throw serialization_error("varint longer than 10 bytes");
  }

  /// Reads a length prefix and checks that at least `min_bytes_each * n` bytes remain.
  std::size_t read_length(std::size_t min_bytes_each = 1) {
    auto n = read_varint();
    if (min_bytes_each != 0 && n > remaining() / min_bytes_each)
      throw serialization_error("length " + std::to_string(n) + " exceeds the " +
                                std::to_string(remaining()) + " bytes left in the buffer");
    return static_cast<std::size_t>(n);
  }

  std::size_t remaining() const { return static_cast<std::size_t>(end_ - pos_); }
  bool at_end() const { return pos_ == end_; }

private:
  void require(std::size_t n) const {
    if (n > remaining())
      throw_truncated(n);
  }
  [[noreturn, gnu::noinline]] void throw_truncated(std::size_t n) const {
    throw serialization_error("truncated buffer: need " + std::to_string(n) + " bytes, " +
                              std::to_string(remaining()) + " left");
  }

  const char* pos_;
  const char* end_;
};

} // namespace sluice
