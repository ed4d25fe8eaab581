// Checkpoint `_metadata` files, read as a restore reads them (read_metadata_file). The input is
// the file; when it is a JSON object its checksum is first set to the right one (unless the
// first byte is '!'), so that the fuzzer reaches the fields behind the checksum. Metadata that
// reads must write as text that reads back equal.

#include "fuzz_util.hpp"

#include "sluice/checkpoint/checkpoint_error.hpp"
#include "sluice/checkpoint/metadata_file.hpp"
#include "sluice/state/checked_file.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace {

/// `text` with its "checksum" field set as to_json(checkpoint_metadata) sets it: "crc32:" and
/// the CRC-32 of the compact dump of the other fields. `text` itself if it is no JSON object.
std::string with_valid_checksum(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return text;
  j.erase("checksum");
  const auto content = j.dump();
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", sluice::crc32(0, content.data(), content.size()));
  j["checksum"] = std::string("crc32:") + hex;
  return j.dump();
}

const std::filesystem::path& metadata_path() {
  static const auto path = [] {
    std::filesystem::path dir = fuzz::scratch_path("checkpoint");
    std::filesystem::create_directories(dir);
    return dir / sluice::metadata_file_name;
  }();
  return path;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (text.empty() || text[0] != '!')
    text = with_valid_checksum(text);
  fuzz::write_file(metadata_path().string(), text.data(), text.size());
  sluice::checkpoint_metadata m;
  try {
    m = sluice::read_metadata_file(metadata_path());
  } catch (const sluice::checkpoint_error&) {
    return 0;
  }
  const auto again = sluice::metadata_from_text(sluice::metadata_to_text(m), "the text written");
  fuzz::require(again == m, "metadata written as text reads back equal");
  return 0;
}
