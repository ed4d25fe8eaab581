#pragma once
// collection_source: emits the elements of a vector, in order, from one subtask.

#include "sluice/operators/source.hpp"

#include <algorithm>
#include <cstddef>
#include <memory>
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

  void open(const runtime_context&) override { next_ = 0; }

  source_status poll(collector<T>& out, std::size_t max_records) override {
    const auto& elems = *elements_;
    const std::size_t end = next_ + std::min(max_records, elems.size() - next_);
    for (; next_ < end; ++next_)
      out.collect(elems[next_]);
    return next_ == elems.size() ? source_status::finished : source_status::more;
  }

  int max_source_parallelism() const override { return 1; }

  /// The number of elements the source emits in all.
  std::size_t size() const { return elements_->size(); }

private:
  std::shared_ptr<const std::vector<T>> elements_;
  std::size_t next_ = 0;
};

} // namespace sluice
