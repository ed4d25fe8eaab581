#include "sluice/state/shared_state_files.hpp"

#include "sluice/state/checked_file.hpp"
#include "sluice/state/state_error.hpp"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <random>
#include <system_error>

namespace fs = std::filesystem;

namespace sluice {

std::string owner_file_name(const std::string& owner) {
  std::string out = owner;
  for (auto& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.')
      c = '_';
  return out;
}

std::string shared_name_prefix(const std::string& owner) {
  std::random_device random;
  const auto bits = (std::uint64_t{random()} << 32) ^ random();
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(bits));
  return owner_file_name(owner) + "-" + hex;
}

bool lies_directly_in(const std::string& file, const std::string& dir) {
  return fs::absolute(file).lexically_normal().parent_path() ==
         fs::absolute(dir).lexically_normal();
}

void check_shared_file(const std::string& owner, const std::string& checkpoint,
                       const shared_state_file& f) {
  const auto what = "operator '" + owner + "': shared state file '" + f.path + "' of checkpoint '" +
                    checkpoint + "'";
  std::error_code ec;
  const auto size = fs::file_size(f.path, ec);
  if (ec)
    throw state_error(what + " is missing: " + ec.message());
  if (size != f.size_bytes)
    throw state_error(what + " is corrupt: " + std::to_string(size) + " bytes, " +
                      std::to_string(f.size_bytes) + " written");
  if (file_crc32(f.path) != f.crc32)
    throw state_error(what + " is corrupt: checksum mismatch");
}

} // namespace sluice
