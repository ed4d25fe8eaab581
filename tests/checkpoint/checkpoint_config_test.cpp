// Checkpoint and restart-strategy settings: parsing of the named choices, defaults, and
// validation errors that name the flag to fix.

#include "sluice/checkpoint/checkpoint_config.hpp"
#include "sluice/checkpoint/restart_strategy_config.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <stdexcept>
#include <string>

using namespace sluice;

namespace {

std::string invalid(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "valid";
}

std::string invalid(const checkpoint_config& c) {
  return invalid([&] { c.validate(); });
}

std::string invalid(const restart_strategy_config& c, bool checkpointing) {
  return invalid([&] { c.validate(checkpointing); });
}

checkpoint_config enabled() {
  checkpoint_config c;
  c.interval_ms = 1000;
  c.checkpoint_dir = "/ckpt";
  return c;
}

} // namespace

TEST_CASE("checkpointing is off by default, with Flink's defaults otherwise") {
  const checkpoint_config c;
  CHECK_FALSE(c.enabled());
  CHECK(c.timeout_ms == 600000);
  CHECK(c.min_pause_ms == 0);
  CHECK(c.max_concurrent == 1);
  CHECK(c.tolerable_failures == 0);
  CHECK(c.retained == 3);
  CHECK(c.mode == checkpointing_mode::exactly_once);
  CHECK_FALSE(c.unaligned);
  CHECK(c.aligned_timeout_ms == 0);
  CHECK(invalid(c) == "valid");
  CHECK(invalid(enabled()) == "valid");
}

TEST_CASE("checkpointing modes parse from their flag spelling") {
  CHECK(parse_checkpointing_mode("exactly-once") == checkpointing_mode::exactly_once);
  CHECK(parse_checkpointing_mode("at-least-once") == checkpointing_mode::at_least_once);
  CHECK(std::string(to_string(checkpointing_mode::at_least_once)) == "at-least-once");
  CHECK(invalid([] { parse_checkpointing_mode("exactly_once"); }) ==
        "'exactly_once' is not one of exactly-once, at-least-once");
}

TEST_CASE("invalid checkpoint settings name the flag") {
  auto c = enabled();
  c.interval_ms = 9;
  CHECK(invalid(c) == "flag --checkpoint-interval-ms: 9 is below the minimum 10");
  c = enabled();
  c.timeout_ms = 0;
  CHECK(invalid(c) == "flag --checkpoint-timeout-ms: 0 is below the minimum 10");
  c = enabled();
  c.retained = 0;
  CHECK(invalid(c) == "flag --retained-checkpoints: 0 is below the minimum 1");
  c = enabled();
  c.tolerable_failures = -1;
  CHECK(invalid(c) == "flag --tolerable-checkpoint-failures: -1 is below the minimum 0");
  c = enabled();
  c.min_pause_ms = -5;
  CHECK(invalid(c) == "flag --min-pause-between-checkpoints-ms: -5 is below the minimum 0");
  c = enabled();
  c.checkpoint_dir = "";
  CHECK(invalid(c) ==
        "flag --checkpoint-interval-ms: needs --checkpoint-dir (where checkpoints are written)");
  c = enabled();
  c.unaligned = true;
  c.mode = checkpointing_mode::at_least_once;
  CHECK(invalid(c) == "flag --unaligned-checkpoints: needs --checkpointing-mode exactly-once");
  c = enabled();
  c.aligned_timeout_ms = 100;
  CHECK(invalid(c).rfind("flag --aligned-checkpoint-timeout-ms: needs --unaligned-checkpoints",
                         0) == 0);
  c.unaligned = true;
  CHECK(invalid(c) == "valid");

  checkpoint_config restore;
  restore.restore = "latest";
  CHECK(invalid(restore) ==
        "flag --restore: latest needs --checkpoint-dir (where to look for checkpoints)");
  restore.restore = "/savepoints/savepoint-abc-0123";
  CHECK(invalid(restore) == "valid");
  checkpoint_config non_restored;
  non_restored.allow_non_restored_state = true;
  CHECK(invalid(non_restored) == "flag --allow-non-restored-state: needs --restore");
}

TEST_CASE("restart strategies parse from their flag spelling") {
  CHECK(parse_restart_strategy_kind("none") == restart_strategy_kind::none);
  CHECK(parse_restart_strategy_kind("fixed-delay") == restart_strategy_kind::fixed_delay);
  CHECK(parse_restart_strategy_kind("exponential-delay") ==
        restart_strategy_kind::exponential_delay);
  CHECK(parse_restart_strategy_kind("failure-rate") == restart_strategy_kind::failure_rate);
  CHECK(invalid([] { parse_restart_strategy_kind("always"); }) ==
        "'always' is not one of none, fixed-delay, exponential-delay, failure-rate");
}

TEST_CASE("the default restart strategy is exponential-delay with checkpointing, none without") {
  const restart_strategy_config c;
  CHECK(c.effective_kind(true) == restart_strategy_kind::exponential_delay);
  CHECK(c.effective_kind(false) == restart_strategy_kind::none);
  CHECK(c.make(true)->description() ==
        "exponential-delay restart: 1000 ms initially, times 2 per failure up to 300000 ms, "
        "reset after 3600000 ms without failure");
  CHECK(c.make(false)->description() == "no restart");
}

TEST_CASE("restart settings make the strategy they name with Flink's defaults for the rest") {
  restart_strategy_config c;
  c.kind = restart_strategy_kind::fixed_delay;
  CHECK(c.make(false)->description() == "fixed-delay restart: 1 attempts, 1000 ms apart (0 used)");
  c.attempts = 4;
  c.delay_ms = 250;
  CHECK(c.make(false)->description() == "fixed-delay restart: 4 attempts, 250 ms apart (0 used)");

  restart_strategy_config rate;
  rate.kind = restart_strategy_kind::failure_rate;
  CHECK(rate.make(true)->description() ==
        "failure-rate restart: at most 1 failures per 60000 ms, 1000 ms apart");
  rate.failure_rate = 3;
  rate.failure_interval_ms = 10000;
  rate.delay_ms = 0;
  CHECK(rate.make(true)->description() ==
        "failure-rate restart: at most 3 failures per 10000 ms, 0 ms apart");

  restart_strategy_config exp;
  exp.delay_ms = 10;
  exp.max_delay_ms = 80;
  exp.multiplier = 1.5;
  exp.reset_after_ms = 500;
  CHECK(exp.make(true)->description() ==
        "exponential-delay restart: 10 ms initially, times 1.5 per failure up to 80 ms, reset "
        "after 500 ms without failure");
}

TEST_CASE("restart flags for another strategy or out of range are errors naming the flag") {
  restart_strategy_config c;
  c.attempts = 3;
  CHECK(invalid(c, true) == "flag --restart-attempts: applies to --restart-strategy "
                            "fixed-delay, not exponential-delay (the default with checkpointing)");
  CHECK(invalid(c, false) == "flag --restart-attempts: applies to --restart-strategy "
                             "fixed-delay, not none (the default without checkpointing)");
  c.kind = restart_strategy_kind::failure_rate;
  CHECK(invalid(c, true) ==
        "flag --restart-attempts: applies to --restart-strategy fixed-delay, not failure-rate");

  restart_strategy_config none;
  none.kind = restart_strategy_kind::none;
  none.delay_ms = 5;
  CHECK(invalid(none, true) ==
        "flag --restart-delay-ms: applies to --restart-strategy fixed-delay or "
        "exponential-delay or failure-rate, not none");

  restart_strategy_config fixed;
  fixed.kind = restart_strategy_kind::fixed_delay;
  fixed.multiplier = 2;
  CHECK(invalid(fixed, true).rfind("flag --restart-multiplier: applies to", 0) == 0);
  fixed.multiplier.reset();
  fixed.attempts = -1;
  CHECK(invalid(fixed, true) == "flag --restart-attempts: -1 is below the minimum 0");

  restart_strategy_config exp;
  exp.kind = restart_strategy_kind::exponential_delay;
  exp.multiplier = 0.5;
  CHECK(invalid(exp, false) == "flag --restart-multiplier: 0.5 is below the minimum 1");
  exp.multiplier.reset();
  exp.delay_ms = 0;
  CHECK(invalid(exp, false) == "flag --restart-delay-ms: 0 is below the minimum 1");
  exp.delay_ms = 400000;
  CHECK(invalid(exp, false) == "flag --restart-delay-ms: the maximum delay 300000 ms is below "
                               "the initial delay 400000 ms");
  exp.max_delay_ms = 200000;
  CHECK(invalid(exp, false) == "flag --restart-max-delay-ms: the maximum delay 200000 ms is "
                               "below the initial delay 400000 ms");

  restart_strategy_config rate;
  rate.kind = restart_strategy_kind::failure_rate;
  rate.failure_rate = 0;
  CHECK(invalid(rate, false) == "flag --restart-failure-rate: 0 is below the minimum 1");
  rate.failure_rate = 2;
  rate.failure_interval_ms = 0;
  CHECK(invalid(rate, false) == "flag --restart-failure-interval-ms: 0 is below the minimum 1");
  CHECK_THROWS_AS(rate.make(false), std::invalid_argument);
}
