#pragma once
// collection_source: emits the elements of a vector, in order, from one subtask; replayable
// (its position is checkpointed in operator list state).

#include "sluice/operators/sources/source.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

namespace sluice {

/// A bounded, non-parallel source of the elements of a vector (Flink's fromCollection).
/// Copies share the elements; each copy has its own read position.
template <class T>
class collection_source final : public copyable_source<collection_source<T>, T> {
public:
  explicit collection_source(std::vector<T> elements)
      : elements_(std::make_shared<const std::vector<T>>(std::move(elements))) {}

  void open(const runtime_context& ctx) override {
    next_ = 0;
    position_ =
        ctx.operator_state
            ? &ctx.operator_state->get_list_state(list_state_descriptor<std::uint64_t>("position"))
            : nullptr;
    if (ctx.restored && position_)
      for (auto p : position_->get()) // one element: the source never runs in parallel
        next_ = static_cast<std::size_t>(p);
  }

  source_status poll(collector<T>& out, std::size_t max_records) override {
    const auto& elems = *elements_;
    const std::size_t end = next_ + std::min(max_records, elems.size() - next_);
    for (; next_ < end; ++next_)
      out.collect(elems[next_]);
    return next_ == elems.size() ? source_status::finished : source_status::more;
  }

  int max_source_parallelism() const override { return 1; }

  bool replayable() const override { return true; }
  /// Stores the index of the next element; throws std::logic_error without an operator state.
  void snapshot_state(std::int64_t) override {
    if (!position_)
      throw std::logic_error("collection_source: no operator state backend to checkpoint its "
                             "position in (runtime_context::operator_state)");
    position_->update({next_});
  }

  /// The number of elements the source emits in all.
  std::size_t size() const { return elements_->size(); }

private:
  std::shared_ptr<const std::vector<T>> elements_;
  std::size_t next_ = 0;
  list_state<std::uint64_t>* position_ = nullptr;
};

} // namespace sluice
