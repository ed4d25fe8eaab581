#include "sluice/operators/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <cstdio>
#include <stdexcept>

namespace sluice {

namespace {

constexpr const char* text_pattern = "%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v";
/// One JSON object per line; %* is the message, escaped (json_message).
constexpr const char* json_pattern =
    R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","thread":%t,"message":"%*"})";

/// The flag %*: the message as the inside of a JSON string.
class json_message final : public spdlog::custom_flag_formatter {
public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    for (char c : msg.payload) {
      switch (c) {
      case '"':
        dest.append(std::string_view("\\\""));
        break;
      case '\\':
        dest.append(std::string_view("\\\\"));
        break;
      case '\n':
        dest.append(std::string_view("\\n"));
        break;
      case '\t':
        dest.append(std::string_view("\\t"));
        break;
      case '\r':
        dest.append(std::string_view("\\r"));
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          dest.append(std::string_view(escaped));
        } else {
          dest.push_back(c);
        }
      }
    }
  }
  std::unique_ptr<spdlog::custom_flag_formatter> clone() const override {
    return std::make_unique<json_message>();
  }
};

} // namespace

std::shared_ptr<spdlog::logger> log() {
  static auto logger = [] {
    auto l = spdlog::stderr_color_mt("sluice");
    l->set_pattern(text_pattern);
    l->set_level(spdlog::level::warn);
    return l;
  }();
  return logger;
}

void set_log_level(const std::string& level) {
  log()->set_level(spdlog::level::from_str(level));
}

void set_log_output(const log_output& out) {
  if (out.format != "text" && out.format != "json")
    throw std::invalid_argument("'" + out.format + "' is not text or json");
  spdlog::sink_ptr sink;
  if (out.file.empty())
    sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  else
    try {
      sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(out.file, out.max_file_bytes,
                                                                    out.max_files);
    } catch (const spdlog::spdlog_ex& e) {
      throw std::invalid_argument("cannot write '" + out.file + "': " + e.what());
    }
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<json_message>('*').set_pattern(out.format == "json" ? json_pattern
                                                                           : text_pattern);
  sink->set_formatter(std::move(formatter));
  log()->sinks() = {sink};
}

} // namespace sluice
