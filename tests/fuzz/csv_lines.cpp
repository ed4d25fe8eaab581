// window_aggregate's input lines (key,timestamp_ms,value), parsed as the program and its Kafka
// variant (kafka_window_aggregate's deserializer) parse them: one line per '\n'-separated part
// of the input, failing or skipped. An error names the line with unprintable bytes escaped; an
// event parsed keeps its line and has a non-empty key without commas.

#include "fuzz_util.hpp"

#include "event.hpp"

namespace {

struct events final : sluice::collector<window_aggregate::event> {
  std::vector<window_aggregate::event> got;
  void collect(window_aggregate::event&& e) override { got.push_back(std::move(e)); }
  void emit_watermark(std::int64_t) override {}
};

bool printable(const std::string& text) {
  for (unsigned char c : text)
    if (c < 0x20 || c == 0x7f)
      return false;
  return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  auto skipped = std::make_shared<std::atomic<std::int64_t>>(0);
  window_aggregate::event_parser strict("'input.csv'", false, skipped);
  window_aggregate::event_parser lenient("'input.csv'", true, skipped);
  events out;
  std::int64_t number = 0;
  std::size_t start = 0;
  while (start <= input.size()) {
    auto end = input.find('\n', start);
    if (end == std::string::npos)
      end = input.size();
    const auto line = input.substr(start, end - start);
    start = end + 1;
    ++number;
    const auto before = out.got.size();
    try {
      strict({number, line}, out);
    } catch (const std::runtime_error& e) {
      fuzz::require(printable(e.what()), "an error message has no control bytes");
      const auto skips = skipped->load();
      lenient({number, line}, out);
      fuzz::require(skipped->load() == skips + 1, "a malformed line is skipped and counted");
      continue;
    }
    fuzz::require(out.got.size() == before + 1, "a well-formed line gives one event");
    const auto& e = out.got.back();
    fuzz::require(e.line == line, "the event keeps its line");
    fuzz::require(!e.key.empty() && e.key.find(',') == std::string::npos,
                  "the key is non-empty and has no comma");
  }
  return 0;
}
