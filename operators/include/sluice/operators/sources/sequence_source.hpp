#pragma once
// Parallel generating sources: sequence_source (a range of int64) and generator_source (fn(i)).
//
// Each subtask emits its own share of the indices: for a bounded count N, share i of n is the
// contiguous range [i*N/n, (i+1)*N/n) (Flink's NumberSequenceSource split), or for a generator
// asked to interleave, i, i+n, i+2n, ... below N; for an unbounded stream, subtask i takes i,
// i+n, i+2n, ... All are replayable: the shares are cut into splits whose positions are
// checkpointed and redistributed on restore (index_splits.hpp).

#include "sluice/operators/sources/index_splits.hpp"
#include "sluice/operators/sources/source.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace sluice {

/// The int64 values from..to (inclusive), or from, from+1, ... without end (unbounded()).
class sequence_source final : public copyable_source<sequence_source, std::int64_t> {
public:
  /// Emits from..to inclusive; throws std::invalid_argument if from > to or if the range holds
  /// all 2^64 values.
  sequence_source(std::int64_t from, std::int64_t to) : from_(from), splits_(count_of(from, to)) {}

  /// Emits from, from+1, ... forever (wrapping around at the end of int64).
  static sequence_source unbounded(std::int64_t from = 0) { return sequence_source(from); }

  void open(const runtime_context& ctx) override { splits_.open(ctx, "sequence_source"); }

  source_status poll(collector<std::int64_t>& out, std::size_t max_records) override {
    const auto from = static_cast<std::uint64_t>(from_);
    return splits_.poll(max_records, [&](std::uint64_t index) {
      out.collect(static_cast<std::int64_t>(from + index));
    });
  }

  bool replayable() const override { return true; }
  void snapshot_state(std::int64_t) override { splits_.snapshot_state(); }

private:
  explicit sequence_source(std::int64_t from) : from_(from), splits_(std::nullopt) {}

  static std::uint64_t count_of(std::int64_t from, std::int64_t to) {
    if (from > to)
      throw std::invalid_argument("sequence_source: from (" + std::to_string(from) +
                                  ") is greater than to (" + std::to_string(to) + ")");
    const std::uint64_t span = static_cast<std::uint64_t>(to) - static_cast<std::uint64_t>(from);
    if (span == std::numeric_limits<std::uint64_t>::max())
      throw std::invalid_argument("sequence_source: the range holds more than 2^64-1 values");
    return span + 1;
  }

  std::int64_t from_;
  detail::index_splits splits_;
};

/// Emits fn(index) for index 0..count-1, or for every index if count is nullopt.
/// F is called with a std::uint64_t and must be copyable (each subtask gets a copy).
/// `sharing` says how a bounded count is shared among the subtasks: interleaved when the index
/// is a time, so that the subtasks' event times advance together.
template <class T, class F>
class generator_source final : public copyable_source<generator_source<T, F>, T> {
public:
  generator_source(F fn, std::optional<std::uint64_t> count,
                   index_sharing sharing = index_sharing::contiguous)
      : fn_(std::move(fn)), splits_(count, sharing) {}

  void open(const runtime_context& ctx) override { splits_.open(ctx, "generator_source"); }

  source_status poll(collector<T>& out, std::size_t max_records) override {
    return splits_.poll(max_records, [&](std::uint64_t index) { out.collect(T(fn_(index))); });
  }

  bool replayable() const override { return true; }
  void snapshot_state(std::int64_t) override { splits_.snapshot_state(); }

private:
  F fn_;
  detail::index_splits splits_;
};

/// A generator_source of the values fn(index) (index: std::uint64_t).
template <class F>
auto make_generator_source(F fn, std::optional<std::uint64_t> count,
                           index_sharing sharing = index_sharing::contiguous) {
  using T = std::decay_t<std::invoke_result_t<F&, std::uint64_t>>;
  return generator_source<T, F>(std::move(fn), count, sharing);
}

} // namespace sluice
