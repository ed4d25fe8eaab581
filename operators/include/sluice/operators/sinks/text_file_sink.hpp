#pragma once
// text_file_sink: each subtask writes its records' text forms to files of a directory, one per
// line: dir/part-<i> without checkpointing, exactly-once part files with it.

#include "sluice/operators/core/text_format.hpp"
#include "sluice/operators/sinks/exactly_once_text_file_sink.hpp"
#include "sluice/operators/sinks/sink.hpp"
#include "sluice/operators/sinks/sink_error.hpp"
#include "sluice/operators/sinks/text_part_file.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>

namespace sluice {

/// Writes the text form (see text_format.hpp) of each record of subtask i as one line of
/// `dir/part-<i>`. The directory is created in open(); files are buffered, and complete once
/// the sink finished. With checkpointing on (runtime_context::checkpointing), it is an
/// exactly_once_text_file_sink instead: committed files `dir/part-<i>-<n>`, the others hidden
/// (their names start with a dot).
template <class T>
class text_file_sink final : public copyable_sink<text_file_sink<T>, T> {
public:
  explicit text_file_sink(std::string dir) : dir_(std::move(dir)) {}
  /// A copy writes to the same directory and is not open.
  text_file_sink(const text_file_sink& other)
      : copyable_sink<text_file_sink<T>, T>(other), dir_(other.dir_) {}
  text_file_sink& operator=(const text_file_sink&) = delete;

  void open(const runtime_context& ctx) override {
    exactly_once_.reset();
    if (ctx.checkpointing) {
      exactly_once_ = std::make_unique<exactly_once_text_file_sink<T>>(dir_);
      exactly_once_->open(ctx);
      return;
    }
    detail::create_output_directory(dir_);
    file_.open(
        (std::filesystem::path(dir_) / ("part-" + std::to_string(ctx.subtask_index))).string());
  }
  void write(T&& value) override {
    if (exactly_once_)
      return exactly_once_->write(std::move(value));
    write_text(file_.buffer(), value);
    file_.end_line();
  }
  void finish() override { exactly_once_ ? exactly_once_->finish() : file_.finish(); }
  void close() override { exactly_once_ ? exactly_once_->close() : file_.close(); }
  void snapshot_state(std::int64_t id) override {
    if (exactly_once_)
      exactly_once_->snapshot_state(id);
  }
  void notify_checkpoint_complete(std::int64_t id) override {
    if (exactly_once_)
      exactly_once_->notify_checkpoint_complete(id);
  }
  void notify_checkpoint_aborted(std::int64_t id) override {
    if (exactly_once_)
      exactly_once_->notify_checkpoint_aborted(id);
  }

  const std::string& directory() const { return dir_; }

private:
  std::string dir_;
  detail::text_part_file file_;
  std::unique_ptr<exactly_once_text_file_sink<T>> exactly_once_;
};

} // namespace sluice
