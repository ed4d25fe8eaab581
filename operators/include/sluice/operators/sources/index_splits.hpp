#pragma once
// index_splits: the indices a generating source (sequence_source, generator_source) emits in one
// subtask, as a set of splits whose positions are checkpointed in operator list state.
//
// The indices are cut into splits once, when the job starts, and never again: after a restore a
// subtask reads the splits the even-split redistribution of the list state gives it, so every
// index is emitted exactly once over all subtasks at any new parallelism. Subtask i of n first
// gets its share of the indices (bounded: the contiguous range [i*N/n, (i+1)*N/n); unbounded:
// i, i+n, i+2n, ...), cut into c_i splits, c_i being the number of key groups subtask i owns
// ((i+1)*M/n - i*M/n for max parallelism M), so a restore at up to M subtasks gives each some
// splits. A subtask emits its bounded splits one after the other and its unbounded ones in turn,
// one index each: without a restore, the indices in the order of its share.

#include "sluice/operators/core/runtime_context.hpp"
#include "sluice/operators/sources/source.hpp"
#include "sluice/state/serializer_fields.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sluice {

/// How a generating source shares a bounded count of indices among its subtasks (see the file
/// comment): contiguous ranges, or interleaved (subtask i of n: i, i+n, i+2n, ...).
enum class index_sharing { contiguous, interleaved };

} // namespace sluice

namespace sluice::detail {

/// One split: the indices `next`, `next + step`, ... (`remaining` of them if bounded). A split
/// with a step above 1 is interleaved with the subtask's other splits, read in turn.
struct index_split {
  std::uint64_t next = 0;
  std::uint64_t step = 1;
  std::uint64_t remaining = 0;
  bool bounded = true;
  SLUICE_FIELDS(next, step, remaining, bounded)
};

class index_splits {
public:
  /// Splits of `total` indices (nullopt: unbounded, always interleaved), read whole until
  /// open() is called.
  explicit index_splits(std::optional<std::uint64_t> total,
                        index_sharing sharing = index_sharing::contiguous)
      : total_(total), sharing_(sharing), splits_(plan(total, sharing, 0, 1, 1)) {}

  /// A copy reads the same indices and is not open.
  index_splits(const index_splits& other)
      : total_(other.total_), sharing_(other.sharing_), splits_(other.splits_) {}
  index_splits& operator=(const index_splits&) = delete;

  /// Takes this subtask's splits: restored ones if ctx.restored, else its share of the indices.
  /// `source_name` names the source in errors.
  void open(const runtime_context& ctx, const std::string& source_name) {
    if (ctx.parallelism < 1 || ctx.subtask_index < 0 || ctx.subtask_index >= ctx.parallelism)
      throw std::invalid_argument(source_name + ": invalid subtask " + ctx.task_name());
    owner_ = source_name + " '" + ctx.task_name() + "'";
    state_ = ctx.operator_state
                 ? &ctx.operator_state->get_list_state(list_state_descriptor<index_split>("splits"))
                 : nullptr;
    turn_ = 0;
    if (!ctx.restored) {
      splits_ = plan(total_, sharing_, ctx.subtask_index, ctx.parallelism, ctx.max_parallelism);
      return;
    }
    splits_ = checked_state().get();
    // Interleaved splits are read in turn: start with the one furthest behind, as before the
    // checkpoint (the splits before it had emitted one index more).
    auto behind = std::min_element(splits_.begin(), splits_.end(),
                                   [](auto& a, auto& b) { return a.next < b.next; });
    turn_ = static_cast<std::size_t>(behind - splits_.begin());
  }

  /// Emits at most max_records indices through emit(index); finished once every split is read.
  template <class Emit> source_status poll(std::size_t max_records, Emit&& emit) {
    std::uint64_t left = max_records;
    while (left > 0 && !splits_.empty()) {
      auto& s = splits_[turn_];
      const bool in_turn = s.step > 1 && splits_.size() > 1;
      const std::uint64_t run = in_turn ? 1 : s.bounded ? std::min(s.remaining, left) : left;
      for (std::uint64_t k = 0; k < run; ++k, s.next += s.step)
        emit(s.next);
      left -= run;
      if (s.bounded && (s.remaining -= run) == 0) {
        splits_.erase(splits_.begin() + static_cast<std::ptrdiff_t>(turn_));
        if (turn_ == splits_.size())
          turn_ = 0;
      } else if (in_turn) {
        turn_ = (turn_ + 1) % splits_.size();
      }
    }
    return splits_.empty() ? source_status::finished : source_status::more;
  }

  /// Stores the position of every split not read to the end in the operator list state.
  void snapshot_state() { checked_state().update(splits_); }

  /// The splits not read to the end.
  const std::vector<index_split>& splits() const { return splits_; }

private:
  /// The splits of subtask `index` of `parallelism` when the job starts (see the file comment).
  static std::vector<index_split> plan(std::optional<std::uint64_t> total,
                                       index_sharing sharing, int index, int parallelism,
                                       int max_parallelism) {
    const auto i = static_cast<std::uint64_t>(index);
    const auto n = static_cast<std::uint64_t>(parallelism);
    const auto m = static_cast<std::uint64_t>(std::max(max_parallelism, parallelism));
    const std::uint64_t count = split_point(m, i + 1, n) - split_point(m, i, n);
    std::vector<index_split> splits;
    if (!total || sharing == index_sharing::interleaved) {
      const std::uint64_t stride = n * count;
      for (std::uint64_t j = 0; j < count; ++j) {
        const std::uint64_t first = i + n * j;
        if (!total)
          splits.push_back({first, stride, 0, false});
        else if (first < *total)
          splits.push_back({first, stride, (*total - 1 - first) / stride + 1, true});
      }
      return splits;
    }
    const std::uint64_t begin = split_point(*total, i, n);
    const std::uint64_t size = split_point(*total, i + 1, n) - begin;
    for (std::uint64_t j = 0; j < count; ++j) {
      const std::uint64_t from = split_point(size, j, count);
      const std::uint64_t to = split_point(size, j + 1, count);
      if (to > from)
        splits.push_back({begin + from, 1, to - from, true});
    }
    return splits;
  }

  /// i*N/n without overflow: (N/n)*i + (N%n)*i/n, exact since N = (N/n)*n + N%n.
  static std::uint64_t split_point(std::uint64_t total, std::uint64_t i, std::uint64_t n) {
    return total / n * i + total % n * i / n;
  }

  list_state<index_split>& checked_state() const {
    if (!state_)
      throw std::logic_error(owner_ + " has no operator state backend to checkpoint or restore "
                                      "its position (runtime_context::operator_state)");
    return *state_;
  }

  std::optional<std::uint64_t> total_;
  index_sharing sharing_;
  std::vector<index_split> splits_;
  std::size_t turn_ = 0;
  list_state<index_split>* state_ = nullptr;
  std::string owner_ = "source";
};

} // namespace sluice::detail
