#pragma once
// exactly_once_text_file_sink: the text file sink as a two-phase-commit sink, one part file per
// transaction (part_files.hpp). text_file_sink uses it when checkpointing is on.

#include "sluice/operators/core/text_format.hpp"
#include "sluice/operators/sinks/part_files.hpp"
#include "sluice/operators/sinks/two_phase_commit_sink.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sluice {

/// Writes the text form (see text_format.hpp) of each record as one line of the part file of
/// the current transaction: `dir/.part-<subtask>-<n>.inprogress`, pending as
/// `.part-<subtask>-<n>.pending` once pre-committed, and `part-<subtask>-<n>` once committed.
/// A transaction without records leaves no file. After a restore, subtask i removes the
/// in-progress and pending files of the indices s with s % parallelism == i that the restored
/// checkpoint does not name (leftovers of the failed attempt); a fresh start removes nothing.
template <class T>
class exactly_once_text_file_sink final : public two_phase_commit_sink<T, part_file_transaction> {
  using base = two_phase_commit_sink<T, part_file_transaction>;

public:
  explicit exactly_once_text_file_sink(std::string dir) : files_(std::move(dir)) {}

  void open(const runtime_context& ctx) override {
    files_.open(ctx);
    base::open(ctx);
  }
  void snapshot_state(std::int64_t checkpoint_id) override {
    base::snapshot_state(checkpoint_id);
    files_.snapshot_counters();
  }
  std::unique_ptr<sink<T>> clone() const override {
    return std::make_unique<exactly_once_text_file_sink>(*this);
  }

  const std::string& directory() const { return files_.directory(); }

protected:
  part_file_transaction begin_transaction() override { return files_.begin(); }
  void invoke(part_file_transaction& txn, T&& value) override {
    write_text(files_.line_buffer(txn), value);
    files_.end_line();
  }
  void pre_commit(part_file_transaction& txn) override { files_.pre_commit(txn); }
  void commit(const part_file_transaction& txn) override { detail::part_files::commit(txn); }
  void abort(const part_file_transaction& txn) override { files_.abort(txn); }
  void finish_recovery(const std::vector<part_file_transaction>& recorded) override {
    files_.remove_leftovers(recorded);
  }

private:
  detail::part_files files_;
};

} // namespace sluice
