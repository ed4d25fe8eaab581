#pragma once
// The part files of the exactly-once text file sink, and the transaction naming one.
//
// Subtask s writes its n-th part to `dir/.part-<s>-<n>.inprogress`; pre-commit fsyncs it and
// renames it to `.part-<s>-<n>.pending`; commit renames it to `part-<s>-<n>`. Readers that list
// the files not starting with a dot see committed output only. Part numbers count from 0 per
// subtask index and are never reused: the next one is checkpointed (union list state, so a
// restore at another parallelism keeps the counters of every index) and, on open, moved past
// every part file of the subtask's index already in the directory.

#include "sluice/operators/core/runtime_context.hpp"
#include "sluice/operators/sinks/text_part_file.hpp"
#include "sluice/state/serializer_fields.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice {

/// A transaction of the exactly-once text file sink: one part file.
struct part_file_transaction {
  std::string directory;
  std::int32_t subtask = 0;
  /// Assigned by the first record: an empty transaction has no number and leaves no file.
  std::optional<std::uint64_t> part;
  SLUICE_FIELDS(directory, subtask, part)
};

namespace detail {

enum class part_stage { in_progress, pending, committed };

/// ".part-<s>-<n>.inprogress", ".part-<s>-<n>.pending" or "part-<s>-<n>".
std::string part_file_name(int subtask, std::uint64_t part, part_stage stage);

struct part_file_name_fields {
  int subtask = 0;
  std::uint64_t part = 0;
  part_stage stage = part_stage::committed;
};

/// What a file name stands for, or nullopt if it is not a part file name.
std::optional<part_file_name_fields> parse_part_file_name(const std::string& name);

/// The next part number of one subtask index, as checkpointed.
struct part_counter {
  std::int32_t subtask = 0;
  std::uint64_t next_part = 0;
  SLUICE_FIELDS(subtask, next_part)
};

/// The part files one subtask writes, commits and aborts.
class part_files {
public:
  explicit part_files(std::string dir) : dir_(std::move(dir)) {}
  /// A copy writes to the same directory and is not open.
  part_files(const part_files& other) : dir_(other.dir_) {}
  part_files& operator=(const part_files&) = delete;

  /// Creates the directory and chooses the next part number: past the counter restored from
  /// ctx.operator_state (if ctx.restored) and past every part file of this subtask's index in
  /// the directory. Keeps the restored counters of indices >= ctx.parallelism that this subtask
  /// looks after (index % parallelism == subtask), so they outlive a scale-down.
  void open(const runtime_context& ctx);
  part_file_transaction begin() const { return {dir_, subtask_, std::nullopt}; }
  /// The buffer to append a line of `txn` (the current transaction) to; the first line creates
  /// its in-progress file. Call end_line() after each line.
  std::string& line_buffer(part_file_transaction& txn);
  void end_line() { file_.end_line(); }
  /// Writes out, fsyncs and closes the in-progress file, and renames it to pending.
  void pre_commit(const part_file_transaction& txn);
  /// Renames the pending file to the committed name. Idempotent: done if the pending file is
  /// gone and the committed one exists; if neither exists (a reader moved the committed file
  /// away, or it was lost), logs a warning.
  static void commit(const part_file_transaction& txn);
  /// Removes the in-progress and pending files of `txn`. Idempotent.
  void abort(const part_file_transaction& txn);
  /// After a restore: removes the in-progress and pending files of the indices this subtask
  /// looks after that no transaction of `recorded` (the restored state's) names: leftovers of
  /// the failed attempt.
  void remove_leftovers(const std::vector<part_file_transaction>& recorded) const;
  /// Stores the counters in the operator state given to open().
  void snapshot_counters();

  const std::string& directory() const { return dir_; }

private:
  std::string dir_;
  std::int32_t subtask_ = 0;
  int parallelism_ = 1;
  std::uint64_t next_part_ = 0;
  /// Counters of indices >= parallelism this subtask looks after.
  std::map<std::int32_t, std::uint64_t> kept_counters_;
  list_state<part_counter>* counters_ = nullptr;
  std::string owner_;
  text_part_file file_; ///< the in-progress file of the current transaction
};

} // namespace detail
} // namespace sluice
