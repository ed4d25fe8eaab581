#pragma once
// Umbrella header for the byte form of values, plus whole-buffer helpers.

#include "sluice/state/byte_buffer.hpp"
#include "sluice/state/serializer.hpp"
#include "sluice/state/serializer_fields.hpp"
#include "sluice/state/serializer_std.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace sluice {

/// The byte form of `v` as a new buffer.
template <class T>
std::vector<char> to_bytes(const T& v) {
  std::vector<char> out;
  {
    byte_writer w(out);
    serialize(w, v);
  }
  return out;
}

/// Reads one T that must span exactly `size` bytes; throws serialization_error if the bytes are
/// malformed, too few, or more than the value ("trailing bytes").
template <class T>
T from_bytes(const char* data, std::size_t size) {
  byte_reader r(data, size);
  auto v = deserialize<T>(r);
  if (!r.at_end())
    throw serialization_error(std::to_string(r.remaining()) + " trailing bytes after the value");
  return v;
}

/// Reads one T that must span the whole buffer; see from_bytes(const char*, std::size_t).
template <class T>
T from_bytes(const std::vector<char>& bytes) {
  return from_bytes<T>(bytes.data(), bytes.size());
}

} // namespace sluice
