#pragma once
// Parallel generating sources: sequence_source (a range of int64) and generator_source (fn(i)).
//
// Each subtask emits its own share of the indices: for a bounded count N, share i of n is the
// contiguous range [i*N/n, (i+1)*N/n) (Flink's NumberSequenceSource split); for an unbounded
// stream, subtask i takes i, i+n, i+2n, ...

#include "sluice/operators/source.hpp"

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
namespace detail {

/// The indices one subtask emits: `next`, `next + step`, ... (`remaining` of them if bounded).
struct index_share {
  std::uint64_t next = 0;
  std::uint64_t step = 1;
  std::uint64_t remaining = 0;
  bool bounded = true;

  /// The share of subtask `index` of `parallelism` of `total` indices (nullopt: unbounded).
  static index_share of(std::optional<std::uint64_t> total, int index, int parallelism) {
    if (parallelism < 1 || index < 0 || index >= parallelism)
      throw std::invalid_argument("sluice: invalid subtask index " + std::to_string(index) +
                                  " of parallelism " + std::to_string(parallelism));
    const auto i = static_cast<std::uint64_t>(index);
    const auto n = static_cast<std::uint64_t>(parallelism);
    if (!total)
      return {i, n, 0, false};
    const std::uint64_t begin = split_point(*total, i, n);
    return {begin, 1, split_point(*total, i + 1, n) - begin, true};
  }

  /// i*N/n without overflow: (N/n)*i + (N%n)*i/n, exact since N = (N/n)*n + N%n.
  static std::uint64_t split_point(std::uint64_t total, std::uint64_t i, std::uint64_t n) {
    return total / n * i + total % n * i / n;
  }

  /// How many indices the next poll may emit.
  std::uint64_t batch(std::size_t max_records) const {
    return bounded ? std::min<std::uint64_t>(remaining, max_records) : max_records;
  }

  /// Advances past `emitted` indices; true if the share is exhausted.
  bool advance(std::uint64_t emitted) {
    next += emitted * step;
    if (!bounded)
      return false;
    remaining -= emitted;
    return remaining == 0;
  }
};

} // namespace detail

/// The int64 values from..to (inclusive), or from, from+1, ... without end (unbounded()).
class sequence_source final : public copyable_source<sequence_source, std::int64_t> {
public:
  /// Emits from..to inclusive; throws std::invalid_argument if from > to or if the range holds
  /// all 2^64 values.
  sequence_source(std::int64_t from, std::int64_t to) : from_(from), count_(count_of(from, to)) {
    share_ = detail::index_share::of(count_, 0, 1);
  }

  /// Emits from, from+1, ... forever (wrapping around at the end of int64).
  static sequence_source unbounded(std::int64_t from = 0) { return sequence_source(from); }

  void open(const runtime_context& ctx) override {
    share_ = detail::index_share::of(count_, ctx.subtask_index, ctx.parallelism);
  }

  source_status poll(collector<std::int64_t>& out, std::size_t max_records) override {
    const std::uint64_t n = share_.batch(max_records);
    const std::uint64_t step = share_.step;
    std::uint64_t v = static_cast<std::uint64_t>(from_) + share_.next;
    for (std::uint64_t k = 0; k < n; ++k, v += step)
      out.collect(static_cast<std::int64_t>(v));
    return share_.advance(n) ? source_status::finished : source_status::more;
  }

private:
  explicit sequence_source(std::int64_t from) : from_(from) {
    share_ = detail::index_share::of(count_, 0, 1);
  }

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
  std::optional<std::uint64_t> count_;
  detail::index_share share_;
};

/// Emits fn(index) for index 0..count-1, or for every index if count is nullopt.
/// F is called with a std::uint64_t and must be copyable (each subtask gets a copy).
template <class T, class F>
class generator_source final : public copyable_source<generator_source<T, F>, T> {
public:
  generator_source(F fn, std::optional<std::uint64_t> count)
      : fn_(std::move(fn)), count_(count), share_(detail::index_share::of(count, 0, 1)) {}

  void open(const runtime_context& ctx) override {
    share_ = detail::index_share::of(count_, ctx.subtask_index, ctx.parallelism);
  }

  source_status poll(collector<T>& out, std::size_t max_records) override {
    const std::uint64_t n = share_.batch(max_records);
    const std::uint64_t step = share_.step;
    std::uint64_t index = share_.next;
    for (std::uint64_t k = 0; k < n; ++k, index += step)
      out.collect(T(fn_(index)));
    return share_.advance(n) ? source_status::finished : source_status::more;
  }

private:
  F fn_;
  std::optional<std::uint64_t> count_;
  detail::index_share share_;
};

/// A generator_source of the values fn(index) (index: std::uint64_t).
template <class F>
auto make_generator_source(F fn, std::optional<std::uint64_t> count) {
  using T = std::decay_t<std::invoke_result_t<F&, std::uint64_t>>;
  return generator_source<T, F>(std::move(fn), count);
}

} // namespace sluice
