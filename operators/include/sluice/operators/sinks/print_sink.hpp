#pragma once
// print_sink: each record's text form on a line of stdout (Flink's print()).

#include "sluice/operators/core/text_format.hpp"
#include "sluice/operators/sinks/sink.hpp"

#include <cstdio>
#include <mutex>
#include <string>

namespace sluice {
namespace detail {

/// Serializes the writes of all print sinks of the process, so lines never interleave.
inline std::mutex& print_mutex() {
  static std::mutex m;
  return m;
}

} // namespace detail

/// Writes each record's text form (see text_format.hpp) and '\n' to stdout, or to another stream.
/// When the sink runs with parallelism > 1, each line starts with "k> ", k = subtask index + 1.
template <class T>
class print_sink final : public copyable_sink<print_sink<T>, T> {
public:
  print_sink() = default;
  /// Prints to `target` (which must outlive the job) instead of stdout.
  explicit print_sink(std::FILE* target) : target_(target) {}

  void open(const runtime_context& ctx) override {
    prefix_ = ctx.parallelism > 1 ? std::to_string(ctx.subtask_index + 1) + "> " : std::string();
  }

  void write(T&& value) override { write(static_cast<const T&>(value)); }
  void write(const T& value) override {
    line_.assign(prefix_);
    write_text(line_, value);
    line_ += '\n';
    std::FILE* target = target_ ? target_ : stdout;
    std::lock_guard<std::mutex> guard(detail::print_mutex());
    std::fwrite(line_.data(), 1, line_.size(), target);
  }

  void finish() override { flush(); }
  void close() override { flush(); }

private:
  void flush() {
    std::lock_guard<std::mutex> guard(detail::print_mutex());
    std::fflush(target_ ? target_ : stdout);
  }

  std::FILE* target_ = nullptr; ///< nullptr: stdout
  std::string prefix_;
  std::string line_;
};

} // namespace sluice
