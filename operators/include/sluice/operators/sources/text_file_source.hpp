#pragma once
// text_file_source: the lines of a text file, or of the files of a directory, read in parallel.

#include "sluice/operators/sources/source.hpp"
#include "sluice/operators/sources/source_error.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace sluice {
namespace detail {
struct text_split_position;
} // namespace detail

/// The lines of a file, or of every regular, non-hidden file of a directory (sorted by name, not
/// recursive), like Flink's readTextFile. A line is emitted without its '\n', and a trailing '\r'
/// is dropped; a last line without '\n' is still a line, an empty file has none.
///
/// The input is cut into splits: byte ranges of split_size bytes (a smaller file is one split).
/// Split k is read by subtask k % parallelism. A line belongs to the split in which it starts: a
/// split not starting at offset 0 skips the partial line it begins in, and a split reads past its
/// end to finish its last line, so every line is emitted exactly once over all subtasks.
/// The input is listed once, by the constructor, so all subtasks agree on the splits.
/// A line longer than max_line_bytes fails the job (a file without newlines would otherwise be
/// read into memory whole), naming the file and the line's byte offset.
///
/// Replayable: snapshot_state stores, per split not read to the end, its file, its end and the
/// byte offset of its next line in operator list state (even split); a restored source reads
/// exactly from there, at any parallelism. A split keeps its index in the plan as its id in the
/// split slot across restores, so per-split watermarks stay attached to the same split.
class text_file_source final : public copyable_source<text_file_source, std::string> {
public:
  static constexpr std::uint64_t default_split_size = std::uint64_t{4} << 20;
  static constexpr std::uint64_t default_max_line_bytes = std::uint64_t{64} << 20;

  /// Lists the input and plans its splits. Throws source_error if `path` does not exist, is
  /// neither a regular file nor a directory, or cannot be read (nor listed); an empty directory
  /// is fine (no records). Throws std::invalid_argument if split_size or max_line_bytes is 0.
  explicit text_file_source(std::string path, std::uint64_t split_size = default_split_size,
                            std::uint64_t max_line_bytes = default_max_line_bytes);
  /// A copy reads the same splits and is not open.
  text_file_source(const text_file_source& other);
  text_file_source(text_file_source&& other) noexcept;
  text_file_source& operator=(const text_file_source&) = delete;
  text_file_source& operator=(text_file_source&&) = delete;
  ~text_file_source() override;

  void open(const runtime_context& ctx) override;
  /// Throws source_error if a file cannot be opened or read.
  source_status poll(collector<std::string>& out, std::size_t max_records) override;
  void close() override;
  bool replayable() const override { return true; }
  /// Stores the position of every split not read to the end; throws std::logic_error if the
  /// source was opened without an operator state backend.
  void snapshot_state(std::int64_t checkpoint_id) override;
  /// pending_bytes: the bytes of this subtask's splits not read yet; input_bytes: of its
  /// splits in all (from the restored positions after a restore).
  source_backlog backlog() const override;

  /// The path given to the constructor.
  const std::string& path() const;
  /// The number of splits of the whole input.
  std::size_t split_count() const;

private:
  struct plan;
  class split_reader;

  list_state<detail::text_split_position>& checked_positions() const;

  std::shared_ptr<const plan> plan_;
  std::uint64_t max_line_bytes_;
  std::unique_ptr<split_reader> reader_;
  list_state<detail::text_split_position>* positions_ = nullptr;
  std::string owner_ = "source";
};

} // namespace sluice
