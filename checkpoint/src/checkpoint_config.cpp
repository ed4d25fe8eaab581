#include "sluice/checkpoint/checkpoint_config.hpp"

#include <stdexcept>

namespace sluice {

namespace {

/// Flink's smallest checkpoint interval and timeout.
constexpr std::int64_t minimal_checkpoint_time_ms = 10;

[[noreturn]] void bad_flag(const char* flag, const std::string& problem) {
  throw std::invalid_argument(std::string("flag --") + flag + ": " + problem);
}

void check_at_least(const char* flag, std::int64_t value, std::int64_t min) {
  if (value < min)
    bad_flag(flag, std::to_string(value) + " is below the minimum " + std::to_string(min));
}

} // namespace

const char* to_string(checkpointing_mode mode) {
  return mode == checkpointing_mode::exactly_once ? "exactly-once" : "at-least-once";
}

checkpointing_mode parse_checkpointing_mode(const std::string& text) {
  if (text == "exactly-once")
    return checkpointing_mode::exactly_once;
  if (text == "at-least-once")
    return checkpointing_mode::at_least_once;
  throw std::invalid_argument("'" + text + "' is not one of exactly-once, at-least-once");
}

void checkpoint_config::validate() const {
  if (interval_ms != 0)
    check_at_least("checkpoint-interval-ms", interval_ms, minimal_checkpoint_time_ms);
  check_at_least("checkpoint-timeout-ms", timeout_ms, minimal_checkpoint_time_ms);
  check_at_least("min-pause-between-checkpoints-ms", min_pause_ms, 0);
  if (max_concurrent < 1)
    throw std::invalid_argument("at least one checkpoint must be allowed to be pending, not " +
                                std::to_string(max_concurrent));
  check_at_least("tolerable-checkpoint-failures", tolerable_failures, 0);
  check_at_least("retained-checkpoints", retained, 1);
  check_at_least("aligned-checkpoint-timeout-ms", aligned_timeout_ms, 0);
  if (aligned_timeout_ms > 0 && mode != checkpointing_mode::exactly_once)
    bad_flag("aligned-checkpoint-timeout-ms",
             "needs --checkpointing-mode exactly-once (at-least-once never aligns)");
  if (unaligned && mode != checkpointing_mode::exactly_once)
    bad_flag("unaligned-checkpoints", "needs --checkpointing-mode exactly-once");
  if (aligned_timeout_ms > 0 && !unaligned)
    bad_flag("aligned-checkpoint-timeout-ms", "needs --unaligned-checkpoints (it says when "
                                              "an aligned checkpoint switches to unaligned)");
  if (enabled() && checkpoint_dir.empty())
    bad_flag("checkpoint-interval-ms", "needs --checkpoint-dir (where checkpoints are written)");
  if (restore == "latest" && checkpoint_dir.empty())
    bad_flag("restore", "latest needs --checkpoint-dir (where to look for checkpoints)");
  if (allow_non_restored_state && restore.empty())
    bad_flag("allow-non-restored-state", "needs --restore");
}

} // namespace sluice
