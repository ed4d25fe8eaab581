// Nexmark's JSON-lines events (nexmark --input), parsed as read_json_lines parses each line.
// An event that parses must write as a line whose every field equals the input's (so that no
// value is read as another), and that parses to the same event.

#include "fuzz_util.hpp"

#include "json_lines.hpp"

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string line(reinterpret_cast<const char*>(data), size);
  nexmark::event e;
  try {
    e = nexmark::parse_json_line(line);
  } catch (const std::runtime_error&) {
    return 0;
  }
  std::string once;
  nexmark::append_json_line(once, e);
  fuzz::require(!once.empty() && once.back() == '\n', "an event is written as one line");
  once.pop_back();
  const auto input = nlohmann::json::parse(line);
  const auto written = nlohmann::json::parse(once);
  for (const auto& [name, value] : written.items())
    fuzz::require(input.at(name) == value, "every field written equals the input's");
  std::string twice;
  nexmark::append_json_line(twice, nexmark::parse_json_line(once));
  twice.pop_back();
  fuzz::require(once == twice, "an event written as a line parses to the same event");
  return 0;
}
