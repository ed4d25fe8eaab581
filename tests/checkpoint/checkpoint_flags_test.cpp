// The checkpoint and restart flags of job_config: parsed into checkpoint_config and
// restart_strategy_config, and every bad value or combination an error naming the flag.

#include "sluice/operators/api/job_config.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace sluice;

namespace {

job_config parse(const std::vector<std::string>& args) { return parse_args(args, {}).config; }

std::string error_of(const std::vector<std::string>& args) {
  try {
    parse_args(args, {});
  } catch (const config_error& e) {
    return e.what();
  }
  return "no error";
}

} // namespace

TEST_CASE("without flags checkpointing is off and no restart strategy is chosen") {
  const auto c = parse({});
  CHECK_FALSE(c.checkpointing.enabled());
  CHECK(c.checkpointing.retained == 3);
  CHECK(c.checkpointing.timeout_ms == 600000);
  CHECK(c.checkpointing.restore.empty());
  CHECK_FALSE(c.restart.kind);
  CHECK(c.restart.effective_kind(c.checkpointing.enabled()) == restart_strategy_kind::none);
}

TEST_CASE("checkpoint flags fill checkpoint_config") {
  const auto c = parse({"--checkpoint-interval-ms", "1000", "--checkpoint-dir=/ckpt",
                        "--savepoint-dir", "/sp", "--checkpoint-timeout-ms", "20000", "--min-pause-between-checkpoints-ms",
                        "250", "--tolerable-checkpoint-failures", "2", "--retained-checkpoints",
                        "5", "--unaligned-checkpoints", "--aligned-checkpoint-timeout-ms", "30",
                        "--restore", "latest", "--allow-non-restored-state"})
                     .checkpointing;
  CHECK(c.interval_ms == 1000);
  CHECK(c.checkpoint_dir == "/ckpt");
  CHECK(c.savepoint_dir == "/sp");
  CHECK(c.timeout_ms == 20000);
  CHECK(c.min_pause_ms == 250);
  CHECK(c.tolerable_failures == 2);
  CHECK(c.retained == 5);
  CHECK(c.mode == checkpointing_mode::exactly_once);
  CHECK(c.unaligned);
  CHECK(c.aligned_timeout_ms == 30);
  CHECK(c.restore == "latest");
  CHECK(c.allow_non_restored_state);
  CHECK(parse({"--checkpointing-mode", "at-least-once"}).checkpointing.mode ==
        checkpointing_mode::at_least_once);
}

TEST_CASE("restart flags fill restart_strategy_config, checkpointing makes exponential-delay the "
          "default") {
  const auto fixed = parse({"--restart-strategy", "fixed-delay", "--restart-attempts", "4",
                            "--restart-delay-ms", "250"})
                         .restart;
  CHECK(fixed.kind == restart_strategy_kind::fixed_delay);
  CHECK(fixed.attempts == 4);
  CHECK(fixed.delay_ms == 250);

  const auto exp = parse({"--checkpoint-interval-ms", "100", "--checkpoint-dir", "/c",
                          "--restart-delay-ms", "10", "--restart-max-delay-ms", "80",
                          "--restart-multiplier", "1.5", "--restart-reset-after-ms", "500"});
  CHECK_FALSE(exp.restart.kind);
  CHECK(exp.restart.effective_kind(exp.checkpointing.enabled()) ==
        restart_strategy_kind::exponential_delay);
  CHECK(exp.restart.make(true)->description() ==
        "exponential-delay restart: 10 ms initially, times 1.5 per failure up to 80 ms, reset "
        "after 500 ms without failure");

  const auto rate = parse({"--restart-strategy=failure-rate", "--restart-failure-rate", "3",
                           "--restart-failure-interval-ms", "10000"})
                        .restart;
  CHECK(rate.failure_rate == 3);
  CHECK(rate.failure_interval_ms == 10000);
}

TEST_CASE("bad checkpoint and restart flags are errors naming the flag") {
  CHECK(error_of({"--checkpointing-mode", "exactly_once"}) ==
        "flag --checkpointing-mode: 'exactly_once' is not one of exactly-once, at-least-once");
  CHECK(error_of({"--restart-strategy", "always"}) ==
        "flag --restart-strategy: 'always' is not one of none, fixed-delay, exponential-delay, "
        "failure-rate");
  CHECK(error_of({"--checkpoint-interval-ms", "-1"}) ==
        "flag --checkpoint-interval-ms: -1 is out of range [0, 2592000000]");
  CHECK(error_of({"--retained-checkpoints", "0"}) ==
        "flag --retained-checkpoints: 0 is out of range [1, 1000]");
  CHECK(error_of({"--restart-multiplier", "fast"}) ==
        "flag --restart-multiplier: 'fast' is not a non-negative number");
  CHECK(error_of({"--restore", ""}) == "flag --restore: the path is empty");
  CHECK(error_of({"--checkpoint-dir="}) == "flag --checkpoint-dir: the path is empty");
  CHECK(error_of({"--savepoint-dir="}) == "flag --savepoint-dir: the path is empty");
  CHECK(error_of({"--unaligned-checkpoints=yes"}) == "flag --unaligned-checkpoints takes no value");
}

TEST_CASE("contradicting checkpoint and restart flags are errors naming the flag") {
  CHECK(error_of({"--checkpoint-interval-ms", "1000"}) ==
        "flag --checkpoint-interval-ms: needs --checkpoint-dir (where checkpoints are written)");
  CHECK(error_of({"--checkpoint-interval-ms", "5", "--checkpoint-dir", "/c"}) ==
        "flag --checkpoint-interval-ms: 5 is below the minimum 10");
  CHECK(error_of({"--unaligned-checkpoints", "--checkpointing-mode", "at-least-once"}) ==
        "flag --unaligned-checkpoints: needs --checkpointing-mode exactly-once");
  CHECK(error_of({"--unaligned-checkpoints", "--aligned-checkpoint-timeout-ms", "20",
                  "--checkpointing-mode", "at-least-once"}) ==
        "flag --aligned-checkpoint-timeout-ms: needs --checkpointing-mode exactly-once "
        "(at-least-once never aligns)");
  CHECK(error_of({"--restore", "latest"}) ==
        "flag --restore: latest needs --checkpoint-dir (where to look for checkpoints)");
  CHECK(error_of({"--restart-attempts", "3"}) ==
        "flag --restart-attempts: applies to --restart-strategy fixed-delay, not none (the "
        "default without checkpointing)");
  CHECK(error_of({"--restart-strategy", "exponential-delay", "--restart-delay-ms", "400000"}) ==
        "flag --restart-delay-ms: the maximum delay 300000 ms is below the initial delay "
        "400000 ms");
}

TEST_CASE("--help lists the checkpoint and restart flags") {
  const auto text = usage("job", {});
  for (const char* flag :
       {"--checkpoint-interval-ms", "--checkpoint-dir", "--savepoint-dir", "--checkpointing-mode",
        "--checkpoint-timeout-ms", "--min-pause-between-checkpoints-ms",
        "--tolerable-checkpoint-failures", "--retained-checkpoints", "--unaligned-checkpoints",
        "--aligned-checkpoint-timeout-ms", "--restore", "--allow-non-restored-state",
        "--restart-strategy", "--restart-attempts", "--restart-delay-ms", "--restart-max-delay-ms",
        "--restart-multiplier", "--restart-reset-after-ms", "--restart-failure-rate",
        "--restart-failure-interval-ms"}) {
    CAPTURE(std::string(flag));
    CHECK(text.find(std::string("  ") + flag + " ") != std::string::npos);
  }
}

TEST_CASE("--local-recovery is off by default and takes true or false") {
  CHECK_FALSE(parse({}).checkpointing.local_recovery);
  CHECK(parse({"--local-recovery=true"}).checkpointing.local_recovery);
  CHECK(parse({"--local-recovery", "true"}).checkpointing.local_recovery);
  CHECK_FALSE(parse({"--local-recovery=false"}).checkpointing.local_recovery);
  CHECK(error_of({"--local-recovery=yes"}) == "flag --local-recovery: 'yes' is not true or false");
  CHECK(usage("job", {}).find("  --local-recovery ") != std::string::npos);
}

TEST_CASE("--incremental-checkpoints is on by default and takes true or false") {
  CHECK(parse({}).checkpointing.incremental);
  CHECK_FALSE(parse({"--incremental-checkpoints=false"}).checkpointing.incremental);
  CHECK_FALSE(parse({"--incremental-checkpoints", "false"}).checkpointing.incremental);
  CHECK(parse({"--incremental-checkpoints=true"}).checkpointing.incremental);
  CHECK(error_of({"--incremental-checkpoints=no"}) ==
        "flag --incremental-checkpoints: 'no' is not true or false");
  CHECK(usage("job", {}).find("  --incremental-checkpoints ") != std::string::npos);
}
