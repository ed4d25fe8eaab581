#pragma once
// Restart strategies: after each failure of a job, whether to restart it and after what delay
// (Flink's RestartBackoffTimeStrategy). Time is passed in (milliseconds), so every decision is
// deterministic.

#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <string>

namespace sluice {

class restart_strategy {
public:
  virtual ~restart_strategy() = default;
  /// Records a failure at `now_ms`; returns the delay before the restart, or nullopt to give up
  /// (the job fails).
  virtual std::optional<std::int64_t> on_failure(std::int64_t now_ms) = 0;
  /// The strategy and its parameters, for logs.
  virtual std::string description() const = 0;
};

/// Never restarts.
class no_restart final : public restart_strategy {
public:
  std::optional<std::int64_t> on_failure(std::int64_t now_ms) override;
  std::string description() const override;
};

/// Restarts `attempts` times over the job's life, each after `delay_ms`.
class fixed_delay_restart final : public restart_strategy {
public:
  fixed_delay_restart(int attempts, std::int64_t delay_ms);
  std::optional<std::int64_t> on_failure(std::int64_t now_ms) override;
  std::string description() const override;

private:
  int attempts_;
  std::int64_t delay_ms_;
  int failures_ = 0;
};

/// Restarts forever; the delay starts at `initial_ms` and is multiplied by `multiplier` after
/// each failure up to `max_ms`. A failure `reset_after_ms` or more after the previous one
/// (the job ran stably) starts again from `initial_ms`. With a jitter factor j > 0 each delay is
/// drawn uniformly from [d * (1 - j), d * (1 + j)] by a generator seeded with `seed`.
class exponential_delay_restart final : public restart_strategy {
public:
  exponential_delay_restart(std::int64_t initial_ms, std::int64_t max_ms, double multiplier,
                            std::int64_t reset_after_ms, double jitter = 0, std::uint64_t seed = 0);
  std::optional<std::int64_t> on_failure(std::int64_t now_ms) override;
  std::string description() const override;

private:
  std::int64_t initial_ms_;
  std::int64_t max_ms_;
  double multiplier_;
  std::int64_t reset_after_ms_;
  double jitter_;
  std::mt19937_64 random_;
  std::optional<std::int64_t> last_failure_ms_;
  double backoff_ms_ = 0;
};

/// Restarts after `delay_ms` unless this failure is more than `max_failures` within the last
/// `interval_ms` (failures at t with now - interval < t <= now count).
class failure_rate_restart final : public restart_strategy {
public:
  failure_rate_restart(int max_failures, std::int64_t interval_ms, std::int64_t delay_ms);
  std::optional<std::int64_t> on_failure(std::int64_t now_ms) override;
  std::string description() const override;

private:
  int max_failures_;
  std::int64_t interval_ms_;
  std::int64_t delay_ms_;
  std::deque<std::int64_t> failures_ms_;
};

} // namespace sluice
