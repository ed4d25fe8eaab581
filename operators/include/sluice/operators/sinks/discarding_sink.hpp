#pragma once
// discarding_sink: drops every record, counting them.

#include "sluice/operators/sinks/sink.hpp"

#include <atomic>
#include <cstdint>
#include <memory>

namespace sluice {

/// Drops its input. Copies share one total, to which each copy adds its count when it finishes
/// or closes (so counting costs nothing per record).
template <class T>
class discarding_sink final : public copyable_sink<discarding_sink<T>, T> {
public:
  void write(T&&) override { ++count_; }
  void write(const T&) override { ++count_; }
  void finish() override { publish(); }
  void close() override { publish(); }

  /// The records dropped by this copy.
  std::uint64_t local_count() const { return count_; }
  /// The records dropped by all copies that have finished or closed.
  std::uint64_t count() const { return total_->load(std::memory_order_relaxed); }

private:
  void publish() {
    total_->fetch_add(count_ - published_, std::memory_order_relaxed);
    published_ = count_;
  }

  std::shared_ptr<std::atomic<std::uint64_t>> total_ =
      std::make_shared<std::atomic<std::uint64_t>>(0);
  std::uint64_t count_ = 0;
  std::uint64_t published_ = 0;
};

} // namespace sluice
