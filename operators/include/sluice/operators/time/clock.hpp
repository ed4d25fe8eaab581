#pragma once
// Relative clocks for idleness detection: injected so that tests (and deterministic runs)
// control time.

#include <chrono>
#include <cstdint>

namespace sluice {

/// A monotonic clock in milliseconds; only differences between readings matter.
class clock {
public:
  virtual ~clock() = default;
  virtual std::int64_t now_ms() const = 0;
};

/// std::chrono::steady_clock, in milliseconds.
class steady_clock_source final : public clock {
public:
  std::int64_t now_ms() const override {
    auto since = std::chrono::steady_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::milliseconds>(since).count();
  }
};

/// A clock that only moves when told to (tests).
class manual_clock final : public clock {
public:
  explicit manual_clock(std::int64_t start_ms = 0) : now_(start_ms) {}
  std::int64_t now_ms() const override { return now_; }
  /// Moves the clock forward by `ms`.
  void advance(std::int64_t ms) { now_ += ms; }
  void set(std::int64_t ms) { now_ = ms; }

private:
  std::int64_t now_;
};

} // namespace sluice
