#pragma once
// text_part_file: one output file of the text file sinks, written through a buffer of lines.

#include "sluice/operators/sinks/sink_error.hpp"

#include <cstddef>
#include <cstdio>
#include <string>

namespace sluice::detail {

/// Creates `dir` and its parents; throws sink_error naming the directory and the reason.
void create_output_directory(const std::string& dir);

/// A file written through a buffer of whole lines. A copy is closed and has an empty buffer
/// (so a sink prototype can be copied for each subtask).
class text_part_file {
public:
  text_part_file() = default;
  text_part_file(const text_part_file&) {}
  text_part_file& operator=(const text_part_file&) = delete;
  ~text_part_file();

  /// Creates or truncates `path`; throws sink_error naming the path and the reason on failure.
  void open(const std::string& path);
  /// The buffer to append a line's text to; call end_line() after each line.
  std::string& buffer() { return buffer_; }
  void end_line() {
    buffer_ += '\n';
    if (buffer_.size() >= flush_threshold)
      write_buffer();
  }
  /// Writes out everything buffered and closes the file, with an fsync first if `durable`;
  /// throws sink_error if writing fails. Does nothing if already closed.
  void finish(bool durable = false);
  /// Like finish() but never throws (for failed jobs); does nothing if already closed.
  void close() noexcept;
  /// Closes the file without writing out the buffer.
  void discard() noexcept;
  bool is_open() const { return file_ != nullptr; }
  /// The path given to open().
  const std::string& path() const { return path_; }

private:
  static constexpr std::size_t flush_threshold = std::size_t{64} * 1024;
  void write_buffer();

  std::FILE* file_ = nullptr;
  std::string path_;
  std::string buffer_;
};

} // namespace sluice::detail
