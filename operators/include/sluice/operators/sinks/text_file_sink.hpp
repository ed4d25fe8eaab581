#pragma once
// text_file_sink: each subtask writes its records' text forms to dir/part-<i>, one per line.

#include "sluice/operators/sink.hpp"
#include "sluice/operators/sinks/sink_error.hpp"
#include "sluice/operators/text_format.hpp"

#include <cstddef>
#include <cstdio>
#include <string>
#include <utility>

namespace sluice {
namespace detail {

/// One part file of a text_file_sink, written through a buffer of whole lines. A copy is closed
/// and has an empty buffer (so a sink prototype can be copied for each subtask).
class text_part_file {
public:
  text_part_file() = default;
  text_part_file(const text_part_file&) {}
  text_part_file& operator=(const text_part_file&) = delete;
  ~text_part_file();

  /// Creates `dir` (and its parents) and truncates dir/part-<index>; throws sink_error naming
  /// the path and the reason on failure.
  void open(const std::string& dir, int index);
  /// The buffer to append a line's text to; call end_line() after each line.
  std::string& buffer() { return buffer_; }
  void end_line() {
    buffer_ += '\n';
    if (buffer_.size() >= flush_threshold)
      write_buffer();
  }
  /// Writes out everything buffered and closes the file; throws sink_error if writing fails.
  void finish();
  /// Like finish() but never throws (for failed jobs); does nothing if already closed.
  void close() noexcept;
  /// dir/part-<index> once opened.
  const std::string& path() const { return path_; }

private:
  static constexpr std::size_t flush_threshold = std::size_t{64} * 1024;
  void write_buffer();

  std::FILE* file_ = nullptr;
  std::string path_;
  std::string buffer_;
};

} // namespace detail

/// Writes the text form (see text_format.hpp) of each record of subtask i as one line of
/// `dir/part-<i>`. The directory is created in open(); files are buffered, and complete once
/// the sink finished.
template <class T>
class text_file_sink final : public copyable_sink<text_file_sink<T>, T> {
public:
  explicit text_file_sink(std::string dir) : dir_(std::move(dir)) {}

  void open(const runtime_context& ctx) override { file_.open(dir_, ctx.subtask_index); }
  void write(T&& value) override {
    write_text(file_.buffer(), value);
    file_.end_line();
  }
  void finish() override { file_.finish(); }
  void close() override { file_.close(); }

  const std::string& directory() const { return dir_; }

private:
  std::string dir_;
  detail::text_part_file file_;
};

} // namespace sluice
