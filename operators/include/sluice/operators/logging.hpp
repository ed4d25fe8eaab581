#pragma once

#include <spdlog/spdlog.h>

#include <cstddef>
#include <memory>
#include <string>

namespace sluice {

/// The "sluice" logger (stderr), created on first use.
std::shared_ptr<spdlog::logger> log();

/// Sets the level by name (trace, debug, info, warn, error, off).
void set_log_level(const std::string& level);

/// Where and how the "sluice" logger writes (--log-file, --log-format).
struct log_output {
  /// Empty: stderr. Else this file, rotated when it would pass max_file_bytes: PATH is renamed
  /// to PATH's stem.1.ext (and .1 to .2, ...), at most max_files old files are kept.
  std::string file;
  /// text, or json: one object per line, {"time", "level", "thread", "message"}.
  std::string format = "text";
  std::size_t max_file_bytes = 10 * 1024 * 1024;
  std::size_t max_files = 5;
};

/// Sends the logger's lines to `out` from now on; throws std::invalid_argument saying what is
/// wrong (a format other than text or json, a file that cannot be written).
void set_log_output(const log_output& out);

} // namespace sluice
