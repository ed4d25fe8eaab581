#pragma once
// The frame of the state module's snapshot files (checked_file.hpp), so that the fuzz targets
// of key-group and operator state files reach the parsers of their bodies: the input is the
// body, framed with a valid header and checksum, or (first byte odd) the whole file as is.

#include "fuzz_util.hpp"

#include "sluice/state/checked_file.hpp"

namespace fuzz {

/// The file formats, as key_group_file.cpp and operator_state_backend.cpp define them.
inline constexpr sluice::file_format key_group_format{"SLUICEKG", 1};
inline constexpr sluice::file_format operator_format{"SLUICEOP", 1};

/// Writes the input as a file of `format` at `path`: framed or raw, as the first byte says.
inline void write_state_file(const std::string& path, sluice::file_format format,
                             const std::uint8_t* data, std::size_t size) {
  const auto* bytes = reinterpret_cast<const char*>(data + 1);
  if (data[0] & 1)
    write_file(path, bytes, size - 1);
  else
    sluice::write_checked_file(path, format, std::vector<char>(bytes, bytes + size - 1));
}

} // namespace fuzz
