#include "sluice/checkpoint/restart_strategy_config.hpp"

#include <sstream>
#include <stdexcept>

namespace sluice {

namespace {

[[noreturn]] void bad_flag(const char* flag, const std::string& problem) {
  throw std::invalid_argument(std::string("flag --") + flag + ": " + problem);
}

template <class T> void check_min(const char* flag, const std::optional<T>& value, T min) {
  if (value && *value < min) {
    std::ostringstream os;
    os << *value << " is below the minimum " << min;
    bad_flag(flag, os.str());
  }
}

} // namespace

const char* to_string(restart_strategy_kind kind) {
  switch (kind) {
  case restart_strategy_kind::none:
    return "none";
  case restart_strategy_kind::fixed_delay:
    return "fixed-delay";
  case restart_strategy_kind::exponential_delay:
    return "exponential-delay";
  case restart_strategy_kind::failure_rate:
    return "failure-rate";
  }
  return "?";
}

restart_strategy_kind parse_restart_strategy_kind(const std::string& text) {
  for (auto kind : {restart_strategy_kind::none, restart_strategy_kind::fixed_delay,
                    restart_strategy_kind::exponential_delay, restart_strategy_kind::failure_rate})
    if (text == to_string(kind))
      return kind;
  throw std::invalid_argument("'" + text +
                              "' is not one of none, fixed-delay, exponential-delay, "
                              "failure-rate");
}

restart_strategy_kind restart_strategy_config::effective_kind(bool checkpointing) const {
  if (kind)
    return *kind;
  return checkpointing ? restart_strategy_kind::exponential_delay : restart_strategy_kind::none;
}

void restart_strategy_config::validate(bool checkpointing) const {
  using k = restart_strategy_kind;
  const auto effective = effective_kind(checkpointing);
  auto only_for = [&](const char* flag, bool set, std::initializer_list<k> users) {
    if (!set)
      return;
    std::string names;
    for (auto user : users) {
      if (user == effective)
        return;
      names += std::string(names.empty() ? "" : " or ") + to_string(user);
    }
    bad_flag(flag, std::string("applies to --restart-strategy ") + names + ", not " +
                       to_string(effective) +
                       (kind            ? ""
                        : checkpointing ? " (the default with checkpointing)"
                                        : " (the default without checkpointing)"));
  };
  only_for("restart-attempts", attempts.has_value(), {k::fixed_delay});
  only_for("restart-delay-ms", delay_ms.has_value(),
           {k::fixed_delay, k::exponential_delay, k::failure_rate});
  only_for("restart-max-delay-ms", max_delay_ms.has_value(), {k::exponential_delay});
  only_for("restart-multiplier", multiplier.has_value(), {k::exponential_delay});
  only_for("restart-reset-after-ms", reset_after_ms.has_value(), {k::exponential_delay});
  only_for("restart-failure-rate", failure_rate.has_value(), {k::failure_rate});
  only_for("restart-failure-interval-ms", failure_interval_ms.has_value(), {k::failure_rate});

  check_min("restart-attempts", attempts, 0);
  check_min<std::int64_t>("restart-delay-ms", delay_ms, effective == k::exponential_delay ? 1 : 0);
  check_min("restart-multiplier", multiplier, 1.0);
  check_min<std::int64_t>("restart-reset-after-ms", reset_after_ms, 1);
  check_min("restart-failure-rate", failure_rate, 1);
  check_min<std::int64_t>("restart-failure-interval-ms", failure_interval_ms, 1);
  if (effective == k::exponential_delay) {
    const auto initial = delay_ms.value_or(default_delay_ms);
    const auto max = max_delay_ms.value_or(default_max_delay_ms);
    if (max < initial)
      bad_flag(max_delay_ms ? "restart-max-delay-ms" : "restart-delay-ms",
               "the maximum delay " + std::to_string(max) + " ms is below the initial delay " +
                   std::to_string(initial) + " ms");
  }
}

std::unique_ptr<restart_strategy> restart_strategy_config::make(bool checkpointing) const {
  validate(checkpointing);
  const auto delay = delay_ms.value_or(default_delay_ms);
  switch (effective_kind(checkpointing)) {
  case restart_strategy_kind::none:
    break;
  case restart_strategy_kind::fixed_delay:
    return std::make_unique<fixed_delay_restart>(attempts.value_or(default_attempts), delay);
  case restart_strategy_kind::exponential_delay:
    return std::make_unique<exponential_delay_restart>(
        delay, max_delay_ms.value_or(default_max_delay_ms), multiplier.value_or(default_multiplier),
        reset_after_ms.value_or(default_reset_after_ms));
  case restart_strategy_kind::failure_rate:
    return std::make_unique<failure_rate_restart>(
        failure_rate.value_or(default_failure_rate),
        failure_interval_ms.value_or(default_failure_interval_ms), delay);
  }
  return std::make_unique<no_restart>();
}

} // namespace sluice
