#pragma once
// The --restart-* flags (job_config.cpp parses them into this struct) and the strategy they
// make. Unset values take Flink's defaults; without --restart-strategy a job restarts with
// exponential-delay when checkpointing is on and not at all when it is off.

#include "sluice/checkpoint/restart_strategy.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace sluice {

enum class restart_strategy_kind { none, fixed_delay, exponential_delay, failure_rate };

/// "none", "fixed-delay", "exponential-delay" or "failure-rate".
const char* to_string(restart_strategy_kind kind);
/// Parses --restart-strategy; throws std::invalid_argument naming the value and the choices.
restart_strategy_kind parse_restart_strategy_kind(const std::string& text);

struct restart_strategy_config {
  // Flink's defaults.
  static constexpr int default_attempts = 1;
  static constexpr std::int64_t default_delay_ms = 1000;
  static constexpr std::int64_t default_max_delay_ms = 300000;
  static constexpr double default_multiplier = 2.0;
  static constexpr std::int64_t default_reset_after_ms = 3600000;
  static constexpr int default_failure_rate = 1;
  static constexpr std::int64_t default_failure_interval_ms = 60000;

  std::optional<restart_strategy_kind> kind; ///< --restart-strategy
  std::optional<int> attempts;               ///< --restart-attempts (fixed-delay)
  /// --restart-delay-ms: the delay (fixed-delay, failure-rate) or the initial delay
  /// (exponential-delay).
  std::optional<std::int64_t> delay_ms;
  std::optional<std::int64_t> max_delay_ms;        ///< --restart-max-delay-ms (exponential-delay)
  std::optional<double> multiplier;                ///< --restart-multiplier (exponential-delay)
  std::optional<std::int64_t> reset_after_ms;      ///< --restart-reset-after-ms (exponential-delay)
  std::optional<int> failure_rate;                 ///< --restart-failure-rate (failure-rate)
  std::optional<std::int64_t> failure_interval_ms; ///< --restart-failure-interval-ms

  /// The strategy that runs: `kind`, or the default for whether checkpointing is on.
  restart_strategy_kind effective_kind(bool checkpointing) const;
  /// Throws std::invalid_argument naming the flag when a value is out of range or set for a
  /// strategy that does not use it.
  void validate(bool checkpointing) const;
  /// A fresh strategy (its own failure history); validates first.
  std::unique_ptr<restart_strategy> make(bool checkpointing) const;
};

} // namespace sluice
