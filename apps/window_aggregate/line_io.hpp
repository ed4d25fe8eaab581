#pragma once
// A non-parallel source of the numbered lines of one file or of stdin (so records keep the
// input's order), and a non-parallel sink appending records' text forms to one file or stdout.

#include <sluice/sluice.hpp>

#include <cstdint>
#include <cstdio>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace window_aggregate {

/// A line of the input and its number (from 1).
using numbered_line = std::pair<std::int64_t, std::string>;

/// The lines of `path` (or of stdin), without '\n' and a trailing '\r', numbered; one subtask.
/// A file is replayable: checkpoints store the byte offset and number of the next line, and a
/// restored source goes on from there. Stdin is not.
class line_source final : public sluice::copyable_source<line_source, numbered_line> {
public:
  explicit line_source(std::optional<std::string> path) : path_(std::move(path)) {}
  /// Throws sluice::source_error if the file cannot be opened or its restored position is past
  /// its end.
  void open(const sluice::runtime_context& ctx) override;
  /// Throws sluice::source_error on a read error.
  sluice::source_status poll(sluice::collector<numbered_line>& out,
                             std::size_t max_records) override;
  void close() override { input_.reset(); }
  int max_source_parallelism() const override { return 1; }
  bool replayable() const override { return path_.has_value(); }
  void snapshot_state(std::int64_t checkpoint_id) override;

private:
  std::optional<std::string> path_; ///< none: stdin
  std::shared_ptr<std::istream> input_;
  std::int64_t offset_ = 0;      ///< bytes of the input read so far
  std::int64_t next_number_ = 1; ///< the number of the next line
  /// {offset, next line number} (a file only; one element: the source never runs in parallel).
  sluice::list_state<std::int64_t>* position_ = nullptr;
};

/// Writes each record's text form and '\n' to `path` (truncated when the job starts) or stdout;
/// one subtask, so a single file holds all lines.
template <class T>
class line_sink final : public sluice::copyable_sink<line_sink<T>, T> {
public:
  explicit line_sink(std::optional<std::string> path) : path_(std::move(path)) {}
  void open(const sluice::runtime_context&) override {
    if (!path_) {
      target_ = std::shared_ptr<std::FILE>(stdout, [](std::FILE*) {});
      return;
    }
    target_ = std::shared_ptr<std::FILE>(std::fopen(path_->c_str(), "w"), [](std::FILE* f) {
      if (f != nullptr)
        std::fclose(f);
    });
    if (!target_)
      throw sluice::sink_error("cannot open '" + *path_ + "' for writing");
  }
  void write(T&& value) override {
    line_.clear();
    sluice::write_text(line_, value);
    line_ += '\n';
    if (std::fwrite(line_.data(), 1, line_.size(), target_.get()) != line_.size())
      throw sluice::sink_error("cannot write to " + name());
  }
  void finish() override {
    if (std::fflush(target_.get()) != 0)
      throw sluice::sink_error("cannot write to " + name());
  }
  void close() override { target_.reset(); }
  int max_sink_parallelism() const override { return 1; }

private:
  std::string name() const { return path_ ? "'" + *path_ + "'" : std::string("stdout"); }

  std::optional<std::string> path_; ///< none: stdout
  std::shared_ptr<std::FILE> target_;
  std::string line_;
};

} // namespace window_aggregate
