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

/// Names this process in every log line from now on: "[NAME] " after the level in text,
/// "process":"NAME" in JSON (a task manager: "taskmanager host:pid"). Empty: none.
void set_log_process(const std::string& name);

/// Shows `line` as a status line (a progress bar) at the bottom of stderr, replacing the
/// previous one (it must fit the terminal's width and hold no newline). While one is shown, a
/// log line written to stderr first clears it and then draws it again below, so neither tears.
void show_status_line(const std::string& line);
/// Ends the status line shown (a newline after it, so it stays on the screen); none from now on.
void keep_status_line();

} // namespace sluice
