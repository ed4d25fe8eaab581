#include "sluice/operators/core/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <cstdio>
#include <mutex>
#include <stdexcept>

namespace sluice {

namespace {

/// %& is the process's name in the cluster (process_name), when set.
constexpr const char* text_pattern = "%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %&%v";
/// One JSON object per line; %* is the message, escaped (json_message).
constexpr const char* json_pattern =
    R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l",%&"thread":%t,"message":"%*"})";

/// The name set_log_process gave (empty: none), read by every log line.
struct process_name_holder {
  std::mutex mutex;
  std::string name;
};

process_name_holder& the_process_name() {
  static process_name_holder holder;
  return holder;
}

/// The flag %&: "[NAME] " in text, "\"process\":\"NAME\"," in JSON; nothing without a name.
class process_name final : public spdlog::custom_flag_formatter {
public:
  explicit process_name(bool json) : json_(json) {}
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    auto& holder = the_process_name();
    std::lock_guard<std::mutex> guard(holder.mutex);
    if (holder.name.empty())
      return;
    const std::string text =
        json_ ? "\"process\":\"" + holder.name + "\"," : "[" + holder.name + "] ";
    dest.append(std::string_view(text));
  }
  std::unique_ptr<spdlog::custom_flag_formatter> clone() const override {
    return std::make_unique<process_name>(json_);
  }

private:
  bool json_;
};

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

/// The status line at the bottom of stderr (show_status_line), and the lock that keeps log
/// lines and it from interleaving.
struct status_line {
  std::mutex mutex;
  std::string text; ///< empty: none shown
};

status_line& the_status_line() {
  static status_line line;
  return line;
}

/// Erases the line the cursor is on (a status line) on a terminal.
constexpr const char* clear_line = "\r\033[K";

/// stderr (coloured on a terminal), clearing the status line before each log line and drawing
/// it again after.
class stderr_sink final : public spdlog::sinks::sink {
public:
  void log(const spdlog::details::log_msg& msg) override {
    auto& status = the_status_line();
    std::lock_guard<std::mutex> guard(status.mutex);
    if (!status.text.empty())
      std::fputs(clear_line, stderr);
    inner_->log(msg);
    inner_->flush();
    if (!status.text.empty())
      std::fputs(status.text.c_str(), stderr);
    std::fflush(stderr);
  }
  void flush() override { inner_->flush(); }
  void set_pattern(const std::string& pattern) override { inner_->set_pattern(pattern); }
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
    inner_->set_formatter(std::move(formatter));
  }

private:
  std::shared_ptr<spdlog::sinks::sink> inner_ =
      std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
};

/// The formatter of `format` (text or json), with the flags %* and %&.
std::unique_ptr<spdlog::formatter> make_formatter(const std::string& format) {
  const bool json = format == "json";
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<json_message>('*');
  formatter->add_flag<process_name>('&', json);
  formatter->set_pattern(json ? json_pattern : text_pattern);
  return formatter;
}

} // namespace

void show_status_line(const std::string& line) {
  auto& status = the_status_line();
  std::lock_guard<std::mutex> guard(status.mutex);
  status.text = line;
  std::fputs(clear_line, stderr);
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

void keep_status_line() {
  auto& status = the_status_line();
  std::lock_guard<std::mutex> guard(status.mutex);
  if (status.text.empty())
    return;
  std::fputs("\n", stderr);
  std::fflush(stderr);
  status.text.clear();
}

std::shared_ptr<spdlog::logger> log() {
  static auto logger = [] {
    auto l = std::make_shared<spdlog::logger>("sluice", std::make_shared<stderr_sink>());
    spdlog::register_logger(l);
    l->set_formatter(make_formatter("text"));
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
    sink = std::make_shared<stderr_sink>();
  else
    try {
      sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(out.file, out.max_file_bytes,
                                                                    out.max_files);
    } catch (const spdlog::spdlog_ex& e) {
      throw std::invalid_argument("cannot write '" + out.file + "': " + e.what());
    }
  sink->set_formatter(make_formatter(out.format));
  log()->sinks() = {sink};
}

void set_log_process(const std::string& name) {
  auto& holder = the_process_name();
  std::lock_guard<std::mutex> guard(holder.mutex);
  holder.name = name;
}

} // namespace sluice
