// --config FILE: a YAML file of flags (key: the flag's name), overridden by flags given on the
// command line; its errors name the file, the line and the key. And "did you mean" for
// misspelt flags and keys.
#include "sluice/operators/api/job_config.hpp"

#include "../temp_dir.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

using sluice::config_error;
using sluice::flag_spec;
using sluice::parse_args;
using sluice::test::temp_dir;

namespace {

/// Writes `text` to `name` in `dir` and returns the file's path.
std::string write_file(const temp_dir& dir, const std::string& name, const std::string& text) {
  auto path = dir / name;
  std::ofstream(path) << text;
  return path;
}

sluice::job_config parse_file(const std::string& path, std::vector<std::string> flags = {},
                              const std::vector<flag_spec>& job_flags = {}) {
  flags.insert(flags.begin(), {"--config", path});
  return parse_args(flags, job_flags).config;
}

std::string error_of(const std::vector<std::string>& args,
                     const std::vector<flag_spec>& job_flags = {}) {
  try {
    parse_args(args, job_flags);
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}

/// The error of a file holding `text` (its name in the message is `path`).
std::string file_error(const temp_dir& dir, const std::string& text, std::string& path) {
  path = write_file(dir, "job.yaml", text);
  return error_of({"--config", path});
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("config file: data plane, state, checkpoint and restart keys set what their flags set") {
  temp_dir dir;
  auto c = parse_file(write_file(dir, "job.yaml",
                                 "# a comment\n"
                                 "parallelism: 3\n"
                                 "max-parallelism: 64\n"
                                 "buffer-timeout-ms: 0\n"
                                 "batch-bytes: 4096\n"
                                 "remote-batch-bytes: 65536\n"
                                 "credits-per-channel: 4\n"
                                 "source-rate: 2500.5\n"
                                 "watermark-interval-ms: 50\n"
                                 "log-level: debug\n"
                                 "disable-chaining: true\n"
                                 "slots: 5\n"
                                 "state-backend: rocksdb\n"
                                 "state-dir: \"/var/tmp/my state\"\n"
                                 "state-memory-mb: 64\n"
                                 "checkpoint-interval-ms: 200\n"
                                 "checkpoint-dir: /tmp/chk\n"
                                 "savepoint-dir: /tmp/sp\n"
                                 "checkpointing-mode: at-least-once\n"
                                 "checkpoint-timeout-ms: 9000\n"
                                 "min-pause-between-checkpoints-ms: 10\n"
                                 "tolerable-checkpoint-failures: 2\n"
                                 "retained-checkpoints: 7\n"
                                 "restore: latest\n"
                                 "allow-non-restored-state: true\n"
                                 "restart-strategy: exponential-delay\n"
                                 "restart-delay-ms: 20\n"
                                 "restart-max-delay-ms: 400\n"
                                 "restart-multiplier: 1.5\n"
                                 "restart-reset-after-ms: 5000\n"));
  CHECK(c.parallelism == 3);
  CHECK(c.max_parallelism == 64);
  CHECK(c.buffer_timeout_ms == 0);
  CHECK(c.batch_bytes == 4096);
  CHECK(c.remote_batch_bytes == 65536);
  CHECK(c.exclusive_credits == 4);
  CHECK(c.source_rate == doctest::Approx(2500.5));
  CHECK(c.watermark_interval_ms == 50);
  CHECK(c.log_level == "debug");
  CHECK_FALSE(c.chaining);
  CHECK(c.slots == 5);
  CHECK(c.state.kind == sluice::state_backend_kind::rocksdb);
  CHECK(c.state.state_dir == "/var/tmp/my state");
  CHECK(c.state.memory_mb == 64);
  CHECK(c.checkpointing.interval_ms == 200);
  CHECK(c.checkpointing.checkpoint_dir == "/tmp/chk");
  CHECK(c.checkpointing.savepoint_dir == "/tmp/sp");
  CHECK(c.checkpointing.mode == sluice::checkpointing_mode::at_least_once);
  CHECK(c.checkpointing.timeout_ms == 9000);
  CHECK(c.checkpointing.min_pause_ms == 10);
  CHECK(c.checkpointing.tolerable_failures == 2);
  CHECK(c.checkpointing.retained == 7);
  CHECK(c.checkpointing.restore == "latest");
  CHECK(c.checkpointing.allow_non_restored_state);
  CHECK(c.restart.kind == sluice::restart_strategy_kind::exponential_delay);
  CHECK(c.restart.delay_ms == 20);
  CHECK(c.restart.max_delay_ms == 400);
  CHECK(c.restart.multiplier == doctest::Approx(1.5));
  CHECK(c.restart.reset_after_ms == 5000);
}

TEST_CASE("config file: cluster keys, switches set to false, unaligned checkpoints") {
  temp_dir dir;
  auto tm = parse_file(write_file(dir, "tm.yaml",
                                  "taskmanager: true\n"
                                  "jobmanager: 10.0.0.1:6123\n"
                                  "taskmanager-bind: 10.0.0.2\n"
                                  "insecure: true\n"
                                  "heartbeat-timeout-ms: 700\n"
                                  "registration-timeout-ms: 800\n"
                                  "disable-chaining: false\n"));
  CHECK(tm.cluster.task_manager);
  CHECK(tm.cluster.job_manager.host == "10.0.0.1");
  CHECK(tm.cluster.job_manager.port == 6123);
  CHECK(tm.cluster.task_manager_bind == "10.0.0.2");
  CHECK(tm.cluster.insecure);
  CHECK(tm.cluster.heartbeat_timeout_ms == 700);
  CHECK(tm.cluster.registration_timeout_ms == 800);
  CHECK(tm.chaining);
  auto jm = parse_file(write_file(dir, "jm.yaml",
                                  "jobmanager-bind: 127.0.0.1:0\n"
                                  "taskmanagers: 3\n"
                                  "checkpoint-interval-ms: 100\n"
                                  "checkpoint-dir: /tmp/c\n"
                                  "unaligned-checkpoints: true\n"
                                  "aligned-checkpoint-timeout-ms: 30\n"
                                  "restart-strategy: fixed-delay\n"
                                  "restart-attempts: 4\n"
                                  "tls-cert: /etc/n.crt\n"
                                  "tls-key: /etc/n.key\n"
                                  "tls-ca: /etc/ca.crt\n"));
  CHECK(jm.cluster.job_manager_bind.host == "127.0.0.1");
  CHECK(jm.cluster.task_managers == 3);
  CHECK(jm.checkpointing.unaligned);
  CHECK(jm.checkpointing.aligned_timeout_ms == 30);
  CHECK(jm.restart.kind == sluice::restart_strategy_kind::fixed_delay);
  CHECK(jm.restart.attempts == 4);
  CHECK(jm.cluster.tls.cert == "/etc/n.crt");
  CHECK(jm.cluster.tls.key == "/etc/n.key");
  CHECK(jm.cluster.tls.ca == "/etc/ca.crt");
  CHECK(jm.cluster.tls.enabled());
}

TEST_CASE("binds beyond loopback need TLS or --insecure; the TLS flags go together") {
  const std::vector<std::string> tls = {"--tls-cert", "n.crt", "--tls-key", "n.key",
                                        "--tls-ca", "ca.crt"};
  const std::string refused = " is not a loopback address and TLS is off";
  CHECK(contains(error_of({"--jobmanager-bind", "0.0.0.0:0"}),
                 "flag --jobmanager-bind: 0.0.0.0" + refused));
  CHECK(contains(error_of({"--jobmanager-bind", "127.evil.com:0"}),
                 "flag --jobmanager-bind: 127.evil.com" + refused));
  CHECK(contains(error_of({"--jobmanager-bind", "127.0.0.1:0", "--rest-bind", "10.1.2.3:80"}),
                 "flag --rest-bind: 10.1.2.3" + refused));
  CHECK(contains(error_of({"--taskmanager", "--jobmanager", "127.0.0.1:1", "--taskmanager-bind",
                           "::"}),
                 "flag --taskmanager-bind: ::" + refused));
  CHECK(contains(error_of({"--rest-bind", "0.0.0.0:0"}), "flag --rest-bind: 0.0.0.0" + refused));
  for (const char* loopback : {"127.0.0.1:0", "127.1.2.3:0", "localhost:0", "[::1]:0"})
    CHECK(error_of({"--jobmanager-bind", loopback}).empty());
  CHECK(error_of({"--jobmanager-bind", "0.0.0.0:0", "--insecure"}).empty());
  auto with_tls = tls;
  with_tls.insert(with_tls.end(), {"--jobmanager-bind", "0.0.0.0:0", "--rest-bind", "0.0.0.0:0"});
  CHECK(error_of(with_tls).empty());
  CHECK(error_of({"--tls-cert", "n.crt", "--tls-ca", "ca.crt"}) ==
        "flags --tls-cert, --tls-key and --tls-ca go together (mutual TLS needs this process's "
        "certificate, its key and the CA of its peers): --tls-cert --tls-ca given without "
        "--tls-key");
  CHECK(error_of({"--tls-ca", ""}) == "flag --tls-ca: the path is empty");
}

TEST_CASE("config file: flags on the command line override the file, before or after --config") {
  temp_dir dir;
  auto path = write_file(dir, "job.yaml", "parallelism: 3\nbatch-bytes: 4096\nlog-level: info\n");
  auto after = parse_file(path, {"--parallelism", "2", "--log-level=error"});
  CHECK(after.parallelism == 2);
  CHECK(after.batch_bytes == 4096);
  CHECK(after.log_level == "error");
  auto before = parse_args({"--parallelism=5", "--config=" + path}, {}).config;
  CHECK(before.parallelism == 5);
  CHECK(before.batch_bytes == 4096);
}

TEST_CASE("config file: the job's own flags are keys too, overridden by flags") {
  temp_dir dir;
  std::vector<flag_spec> job = {{"input", "in", {}, false},
                                {"window", "kind", std::string("tumbling"), false},
                                {"skip-malformed", "skip", {}, true}};
  auto path = write_file(dir, "job.yaml", "input: a.txt\nwindow: session\nskip-malformed: true\n");
  auto c = parse_file(path, {}, job);
  CHECK(c.job_flags.at("input") == "a.txt");
  CHECK(c.job_flags.at("window") == "session");
  CHECK(c.job_flags.at("skip-malformed") == "true");
  CHECK(parse_file(path, {"--input", "b.txt"}, job).job_flags.at("input") == "b.txt");
  auto off = write_file(dir, "off.yaml", "skip-malformed: false\n");
  CHECK(parse_file(off, {}, job).job_flags.count("skip-malformed") == 0);
}

TEST_CASE("config file: an empty file or one of comments changes nothing") {
  temp_dir dir;
  auto c = parse_file(write_file(dir, "empty.yaml", ""));
  CHECK(c.batch_bytes == 32768);
  CHECK(parse_file(write_file(dir, "comments.yaml", "# nothing\n\n")).max_parallelism == 128);
}

TEST_CASE("config file: bad values name the file, the line and the key") {
  temp_dir dir;
  std::string path;
  auto e = file_error(dir, "batch-bytes: 4096\n\nparallelism: two\n", path);
  CHECK(e == path + ":3: key 'parallelism': 'two' is not an integer");
  e = file_error(dir, "credits-per-channel: 0\n", path);
  CHECK(e == path + ":1: key 'credits-per-channel': 0 is out of range [1, 1024]");
  e = file_error(dir, "log-level: info\nstate-backend: redis\n", path);
  CHECK(contains(e, path + ":2: key 'state-backend': "));
  CHECK(contains(e, "redis"));
  e = file_error(dir, "jobmanager-bind: nowhere\n", path);
  CHECK(e == path + ":1: key 'jobmanager-bind': 'nowhere' is not HOST:PORT");
  e = file_error(dir, "disable-chaining: yes please\n", path);
  CHECK(e == path + ":1: key 'disable-chaining': 'yes please' is not true or false");
  e = file_error(dir, "parallelism:\n", path);
  CHECK(e == path + ":1: key 'parallelism': expected a value, found nothing");
  e = file_error(dir, "parallelism: [1, 2]\n", path);
  CHECK(e == path + ":1: key 'parallelism': expected a value, found a list");
  e = file_error(dir, "batch-bytes: 4096\nparallelism: {a: 1}\n", path);
  CHECK(e == path + ":2: key 'parallelism': expected a value, found a mapping");
  e = file_error(dir, "state-dir: \"\"\n", path);
  CHECK(e == path + ":1: key 'state-dir': the path is empty");
}

TEST_CASE("config file: unknown and repeated keys name the file, the line and the key") {
  temp_dir dir;
  std::string path;
  auto e = file_error(dir, "parallelism: 2\npralelism: 2\n", path);
  CHECK(contains(e, path + ":2: unknown key 'pralelism'; did you mean 'parallelism'?"));
  e = file_error(dir, "checkpoint.interval: 100\n", path);
  CHECK(contains(e, path + ":1: unknown key 'checkpoint.interval'"));
  e = file_error(dir, "parallelism: 2\nsection: {parallelism: 3}\n", path);
  CHECK(contains(e, path + ":2: unknown key 'section'"));
  e = file_error(dir, "zzzz: 1\n", path);
  CHECK(contains(e, "unknown key 'zzzz'"));
  CHECK_FALSE(contains(e, "did you mean"));
  e = file_error(dir, "config: other.yaml\n", path);
  CHECK(contains(e, path + ":1: unknown key 'config'"));
  e = file_error(dir, "slots: 2\nparallelism: 2\nslots: 3\n", path);
  CHECK(e == path + ":3: key 'slots' is given twice (first on line 1)");
}

TEST_CASE("config file: bad syntax names the file and the line, a missing file its path") {
  temp_dir dir;
  std::string path;
  auto e = file_error(dir, "parallelism: 2\nbatch-bytes: [4096\n", path);
  CHECK(contains(e, path + ":"));
  CHECK(contains(e, "bad YAML syntax"));
  e = file_error(dir, "parallelism: 2\n  batch-bytes: 4096\n", path);
  CHECK(contains(e, path + ":2:"));
  e = file_error(dir, "- parallelism\n- 2\n", path);
  CHECK(e == path + ":1: expected 'key: value' lines (a YAML mapping), found a list");
  auto missing = dir / "missing.yaml";
  e = error_of({"--config", missing});
  CHECK(contains(e, "flag --config: cannot read '" + missing + "'"));
  CHECK(error_of({"--config"}) == "flag --config needs a value");
  CHECK(contains(error_of({"--config=a.yaml", "--config=b.yaml"}), "flag --config is given twice"));
}

TEST_CASE("an unknown flag names the nearest known one") {
  CHECK(error_of({"--paralelism", "2"}) ==
        "unknown flag --paralelism; did you mean --parallelism? (see --help)");
  CHECK(contains(error_of({"--checkpoint-intervall-ms=5"}), "did you mean --checkpoint-interval-ms?"));
  CHECK(contains(error_of({"--state-bakcend", "heap"}), "did you mean --state-backend?"));
  CHECK(contains(error_of({"--confg", "x.yaml"}), "did you mean --config?"));
  CHECK(contains(error_of({"--inptu", "x"}, {{"input", "in", {}, false}}), "did you mean --input?"));
  auto far = error_of({"--frobnicate"});
  CHECK(far == "unknown flag --frobnicate (see --help)");
}

TEST_CASE("--help lists --config") {
  CHECK(contains(sluice::usage("prog", {}), "--config"));
}

TEST_CASE("config file: contradicting settings name the file and the flags") {
  temp_dir dir;
  auto path = write_file(dir, "job.yaml", "max-parallelism: 8\n");
  CHECK(error_of({"--config", path, "--parallelism", "9"}) ==
        path + " and the flags: flag --parallelism: 9 exceeds --max-parallelism 8");
  auto checkpoints = write_file(dir, "chk.yaml", "checkpoint-interval-ms: 100\n");
  CHECK(contains(error_of({"--config", checkpoints}),
                 checkpoints + " and the flags: flag --checkpoint-interval-ms"));
}

TEST_CASE("the configuration file turns incremental checkpoints off") {
  temp_dir dir;
  CHECK(parse_file(write_file(dir, "on.yaml", "checkpoint-dir: /tmp/c\n")).checkpointing.incremental);
  CHECK_FALSE(parse_file(write_file(dir, "off.yaml", "incremental-checkpoints: false\n"))
                  .checkpointing.incremental);
}
