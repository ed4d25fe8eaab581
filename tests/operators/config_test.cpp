#include "sluice/operators/api/job_config.hpp"

#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <vector>

using sluice::config_error;
using sluice::flag_spec;
using sluice::parse_args;

namespace {

std::string error_of(const std::vector<std::string>& args,
                     const std::vector<flag_spec>& job_flags = {}) {
  try {
    parse_args(args, job_flags);
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}

/// A flag that takes a value: each bad value is an error naming the flag, a missing value is
/// one too, and the usage lists the flag.
void check_value_flag_errors(const std::string& flag, std::initializer_list<const char*> bad) {
  for (const char* value : bad) {
    auto error = error_of({flag + "=" + value});
    CHECK(error.find(flag) != std::string::npos);
  }
  CHECK(error_of({flag}).find("needs a value") != std::string::npos);
  CHECK(sluice::usage("prog", {}).find(flag) != std::string::npos);
}

} // namespace

TEST_CASE("common flags set the configuration, in both spellings") {
  auto parsed = parse_args({"--parallelism", "3", "--max-parallelism=64", "--buffer-timeout-ms",
                            "0", "--batch-bytes", "4096", "--source-rate", "2500.5",
                            "--log-level", "debug", "--disable-chaining", "--slots", "5"},
                           {});
  const auto& c = parsed.config;
  CHECK(c.parallelism == 3);
  CHECK(c.max_parallelism == 64);
  CHECK(c.buffer_timeout_ms == 0);
  CHECK(c.batch_bytes == 4096);
  CHECK(c.source_rate == doctest::Approx(2500.5));
  CHECK(c.log_level == "debug");
  CHECK_FALSE(c.chaining);
  CHECK(c.slots == 5);
  CHECK_FALSE(parsed.help);
}

TEST_CASE("defaults match the documented values") {
  auto c = parse_args({}, {}).config;
  CHECK(c.max_parallelism == 128);
  CHECK(c.buffer_timeout_ms == 100);
  CHECK(c.batch_bytes == 32768);
  CHECK(c.remote_batch_bytes == 524288);
  CHECK(c.exclusive_credits == 8);
  CHECK(c.floating_credits == 8);
  CHECK(c.source_rate == 0);
  CHECK(c.chaining);
  CHECK(c.default_parallelism() >= 1);
}

TEST_CASE("job flags: declared values, defaults and switches") {
  std::vector<flag_spec> job = {{"input", "in", {}, false},
                                {"window", "kind", std::string("tumbling"), false},
                                {"skip-malformed", "skip", {}, true}};
  auto c = parse_args({"--input", "a.txt", "--skip-malformed"}, job).config;
  CHECK(c.job_flags.at("input") == "a.txt");
  CHECK(c.job_flags.at("window") == "tumbling");
  CHECK(c.job_flags.at("skip-malformed") == "true");
  CHECK(parse_args({}, job).config.job_flags.count("input") == 0);
}

TEST_CASE("--help is reported, not an error") {
  CHECK(parse_args({"--help"}, {}).help);
  auto text = sluice::usage("prog", {{"input", "the input", {}, false}});
  CHECK(text.find("--input") != std::string::npos);
  CHECK(text.find("--parallelism") != std::string::npos);
}

TEST_CASE("bad flags are errors naming the flag") {
  CHECK(error_of({"--paralelism", "2"}).find("--paralelism") != std::string::npos);
  CHECK(error_of({"--parallelism", "two"}).find("--parallelism") != std::string::npos);
  CHECK(error_of({"--parallelism", "0"}).find("--parallelism") != std::string::npos);
  CHECK(error_of({"--parallelism"}).find("needs a value") != std::string::npos);
  CHECK(error_of({"--batch-bytes", "12x"}).find("--batch-bytes") != std::string::npos);
  CHECK(error_of({"--buffer-timeout-ms", "-1"}).find("--buffer-timeout-ms") != std::string::npos);
  CHECK(error_of({"--source-rate", "fast"}).find("--source-rate") != std::string::npos);
  CHECK(error_of({"--log-level", "loud"}).find("--log-level") != std::string::npos);
  CHECK(error_of({"--disable-chaining=yes"}).find("--disable-chaining") != std::string::npos);
  CHECK(error_of({"stray"}).find("stray") != std::string::npos);
  CHECK(error_of({"--parallelism", "9", "--max-parallelism", "8"}).find("--parallelism") !=
        std::string::npos);
  CHECK(error_of({"--parallelism", "99999999999999999999"}).find("--parallelism") !=
        std::string::npos);
}

TEST_CASE("--credits-per-channel sets each input channel's exclusive credits, 1 to 1024") {
  CHECK(parse_args({"--credits-per-channel", "2"}, {}).config.exclusive_credits == 2);
  CHECK(parse_args({"--credits-per-channel=1"}, {}).config.exclusive_credits == 1);
  CHECK(parse_args({"--credits-per-channel=1024"}, {}).config.exclusive_credits == 1024);
  check_value_flag_errors("--credits-per-channel", {"0", "1025", "-2", "many", ""});
}

TEST_CASE("--remote-batch-bytes sizes batches to other processes, within the batch limits") {
  auto c = parse_args({"--remote-batch-bytes", "1048576", "--batch-bytes", "4096"}, {}).config;
  CHECK(c.remote_batch_bytes == 1048576);
  CHECK(c.batch_bytes == 4096);
  CHECK(parse_args({"--remote-batch-bytes=64"}, {}).config.remote_batch_bytes == 64);
  CHECK(parse_args({"--remote-batch-bytes=67108864"}, {}).config.remote_batch_bytes == 67108864);
  check_value_flag_errors("--remote-batch-bytes", {"63", "67108865", "-1", "256k", ""});
}

TEST_CASE("state flags choose the backend, its directory and its memory") {
  auto defaults = parse_args({}, {}).config.state;
  CHECK(defaults.kind == sluice::state_backend_kind::heap);
  CHECK(defaults.state_dir == sluice::default_state_dir());
  CHECK(defaults.memory_mb == 256);
  CHECK(defaults.compaction == sluice::rocksdb_compaction::universal);
  CHECK(defaults.cache_entries == 65536);
  auto c = parse_args({"--state-backend", "rocksdb", "--state-dir=/var/tmp/st",
                       "--state-memory-mb", "64", "--rocksdb-compaction", "level",
                       "--state-cache-entries", "0"},
                      {})
               .config.state;
  CHECK(c.kind == sluice::state_backend_kind::rocksdb);
  CHECK(c.state_dir == "/var/tmp/st");
  CHECK(c.memory_mb == 64);
  CHECK(c.compaction == sluice::rocksdb_compaction::level);
  CHECK(c.cache_entries == 0);
  CHECK(parse_args({"--state-backend", "heap"}, {}).config.state.kind ==
        sluice::state_backend_kind::heap);
  auto text = sluice::usage("prog", {});
  for (const char* flag :
       {"--state-backend", "--state-dir", "--state-memory-mb", "--rocksdb-compaction",
        "--state-cache-entries"})
    CHECK(text.find(flag) != std::string::npos);
}

TEST_CASE("bad state flags are errors naming the flag and what it accepts") {
  auto backend = error_of({"--state-backend", "redis"});
  CHECK(backend.find("--state-backend") != std::string::npos);
  CHECK(backend.find("redis") != std::string::npos);
  CHECK(backend.find("heap") != std::string::npos);
  CHECK(backend.find("rocksdb") != std::string::npos);
  auto compaction = error_of({"--rocksdb-compaction", "fifo"});
  CHECK(compaction.find("--rocksdb-compaction") != std::string::npos);
  CHECK(compaction.find("fifo") != std::string::npos);
  CHECK(compaction.find("universal or level") != std::string::npos);
  CHECK(error_of({"--state-cache-entries", "-1"}).find("--state-cache-entries") !=
        std::string::npos);
  CHECK(error_of({"--state-dir="}).find("--state-dir") != std::string::npos);
  CHECK(error_of({"--state-dir"}).find("needs a value") != std::string::npos);
  for (const char* bad : {"0", "-5", "lots", "1.5"})
    CHECK(error_of({"--state-memory-mb", bad}).find("--state-memory-mb") != std::string::npos);
}
