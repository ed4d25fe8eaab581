#include "sluice/operators/api/job_config.hpp"

#include "config_file.hpp"
#include "nearest_name.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <functional>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace sluice {

namespace {

std::int64_t parse_int(const std::string& flag, const std::string& text, std::int64_t min,
                       std::int64_t max) {
  errno = 0;
  char* end = nullptr;
  auto v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE)
    throw config_error("flag --" + flag + ": '" + text + "' is not an integer");
  if (v < min || v > max)
    throw config_error("flag --" + flag + ": " + text + " is out of range [" +
                       std::to_string(min) + ", " + std::to_string(max) + "]");
  return v;
}

/// Parses the value of a true|false flag; throws config_error naming the flag.
bool parse_true_false(const std::string& flag, const std::string& text) {
  if (text != "true" && text != "false")
    throw config_error("flag --" + flag + ": '" + text + "' is not true or false");
  return text == "true";
}

double parse_double(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  auto v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(v >= 0))
    throw config_error("flag --" + flag + ": '" + text + "' is not a non-negative number");
  return v;
}

/// `text`, unless empty (then a config_error naming `flag`).
const std::string& non_empty(const std::string& flag, const std::string& text) {
  if (text.empty())
    throw config_error("flag --" + flag + ": the path is empty");
  return text;
}

/// Runs `parse`, turning its std::invalid_argument into a config_error naming `flag`.
template <class Parse>
auto parse_named(const char* flag, Parse&& parse) -> decltype(parse()) {
  try {
    return parse();
  } catch (const std::invalid_argument& e) {
    throw config_error(std::string("flag --") + flag + ": " + e.what());
  }
}

/// The largest duration flag in milliseconds: 30 days.
constexpr std::int64_t max_duration_ms = 30LL * 24 * 3600 * 1000;
/// The largest count flag (attempts, failures).
constexpr std::int64_t max_count = std::numeric_limits<int>::max();

struct common_flag {
  const char* name;
  const char* help;
  bool is_switch;
  std::function<void(job_config&, const std::string&)> apply;
};

const std::vector<common_flag>& common_flags() {
  static const std::vector<common_flag> flags = {
      {"parallelism", "default parallelism of operators (default: number of cores)", false,
       [](job_config& c, const std::string& v) {
         c.parallelism = static_cast<int>(parse_int("parallelism", v, 1, 32768));
       }},
      {"max-parallelism", "number of key groups (default 128)", false,
       [](job_config& c, const std::string& v) {
         c.max_parallelism = static_cast<int>(parse_int("max-parallelism", v, 1, 32768));
       }},
      {"buffer-timeout-ms", "flush partial batches after MS (default 100; 0 = every record)",
       false,
       [](job_config& c, const std::string& v) {
         c.buffer_timeout_ms = parse_int("buffer-timeout-ms", v, 0, 3600 * 1000);
       }},
      {"batch-bytes", "bytes per batch (default 32768)", false,
       [](job_config& c, const std::string& v) {
         c.batch_bytes = static_cast<std::size_t>(parse_int("batch-bytes", v, 64, 64 << 20));
       }},
      {"remote-batch-bytes",
       "bytes per batch to a subtask in another process (default 524288)", false,
       [](job_config& c, const std::string& v) {
         c.remote_batch_bytes =
             static_cast<std::size_t>(parse_int("remote-batch-bytes", v, 64, 64 << 20));
       }},
      {"credits-per-channel",
       "batches a sender may have in flight on one channel, besides floating ones (default 8)",
       false,
       [](job_config& c, const std::string& v) {
         c.exclusive_credits = static_cast<int>(parse_int("credits-per-channel", v, 1, 1024));
       }},
      {"source-rate", "throttle each source to N records/s in total (default: unthrottled)",
       false,
       [](job_config& c, const std::string& v) { c.source_rate = parse_double("source-rate", v); }},
      {"watermark-interval-ms", "periodic watermark interval (default 200; 0 = every record)",
       false,
       [](job_config& c, const std::string& v) {
         c.watermark_interval_ms = parse_int("watermark-interval-ms", v, 0, 3600 * 1000);
       }},
      {"watermark-alignment-ms",
       "pause input channels whose watermark runs more than MS ahead (default 0 = off)", false,
       [](job_config& c, const std::string& v) {
         c.watermark_alignment_ms = parse_int("watermark-alignment-ms", v, 0, max_duration_ms);
       }},
      {"log-level", "trace|debug|info|warn|error|off (default warn)", false,
       [](job_config& c, const std::string& v) {
         static const std::vector<std::string> levels = {"trace", "debug", "info",
                                                         "warn",  "error", "off"};
         if (std::find(levels.begin(), levels.end(), v) == levels.end())
           throw config_error("flag --log-level: '" + v +
                              "' is not one of trace, debug, info, warn, error, off");
         c.log_level = v;
       }},
      {"log-file", "write logs to PATH instead of stderr, rotated at 10 MiB, 5 old files kept",
       false,
       [](job_config& c, const std::string& v) {
         if (v.empty())
           throw config_error("flag --log-file: the path is empty");
         c.log_file = v;
       }},
      {"log-format", "text|json: json writes one object per line (default text)", false,
       [](job_config& c, const std::string& v) {
         if (v != "text" && v != "json")
           throw config_error("flag --log-format: '" + v + "' is not text or json");
         c.log_format = v;
       }},
      {"no-progress", "no progress bar on stderr (a local job shows one when stderr is a terminal)",
       true, [](job_config& c, const std::string&) { c.progress = false; }},
      {"disable-chaining", "run every operator in its own subtask", true,
       [](job_config& c, const std::string&) { c.chaining = false; }},
      {"slots", "slots of the task manager (default: enough for the job; cluster: 1)", false,
       [](job_config& c, const std::string& v) {
         c.slots = static_cast<int>(parse_int("slots", v, 1, 32768));
       }},
      {"jobmanager-bind", "run as the job manager, listening on HOST:PORT (port 0: any free)",
       false,
       [](job_config& c, const std::string& v) {
         c.cluster.job_manager_bind = parse_host_port("jobmanager-bind", v, 0);
       }},
      {"taskmanagers", "job manager: task managers to wait for before deploying (default 1)",
       false,
       [](job_config& c, const std::string& v) {
         c.cluster.task_managers = static_cast<int>(parse_int("taskmanagers", v, 1, 4096));
       }},
      {"taskmanager", "run as a task manager of the job manager given by --jobmanager", true,
       [](job_config& c, const std::string&) { c.cluster.task_manager = true; }},
      {"jobmanager", "task manager: the job manager's HOST:PORT", false,
       [](job_config& c, const std::string& v) {
         c.cluster.job_manager = parse_host_port("jobmanager", v, 1);
       }},
      {"taskmanager-bind", "task manager: the address other task managers connect to "
                           "(default 127.0.0.1)",
       false,
       [](job_config& c, const std::string& v) {
         if (v.empty())
           throw config_error("flag --taskmanager-bind: the address is empty");
         c.cluster.task_manager_bind = v;
       }},
      {"rest-bind", "REST API and /metrics on HOST:PORT, or off (default 127.0.0.1:8081)", false,
       [](job_config& c, const std::string& v) {
         c.cluster.rest_bind = v == "off" ? host_port{} : parse_host_port("rest-bind", v, 0);
         c.cluster.rest_bind_given = true;
       }},
      {"metrics-bind", "task manager: serve its own /metrics on HOST:PORT", false,
       [](job_config& c, const std::string& v) {
         c.cluster.metrics_bind = parse_host_port("metrics-bind", v, 0);
       }},
      {"metrics-interval-ms", "collect metrics every MS (default 1000; 0 = metrics off)", false,
       [](job_config& c, const std::string& v) {
         c.metrics_interval_ms = parse_int("metrics-interval-ms", v, 0, max_duration_ms);
       }},
      {"tls-cert", "mutual TLS: this process's certificate (PEM), signed by --tls-ca", false,
       [](job_config& c, const std::string& v) { c.cluster.tls.cert = non_empty("tls-cert", v); }},
      {"tls-key", "mutual TLS: the certificate's private key (PEM, unencrypted)", false,
       [](job_config& c, const std::string& v) { c.cluster.tls.key = non_empty("tls-key", v); }},
      {"tls-ca", "mutual TLS: the CA certificate (PEM) every peer's certificate is signed by",
       false,
       [](job_config& c, const std::string& v) { c.cluster.tls.ca = non_empty("tls-ca", v); }},
      {"insecure", "listen beyond loopback without TLS (job and task managers, HTTP)", true,
       [](job_config& c, const std::string&) { c.cluster.insecure = true; }},
      {"heartbeat-timeout-ms", "a silent peer process is lost after MS (default 5000)", false,
       [](job_config& c, const std::string& v) {
         c.cluster.heartbeat_timeout_ms = parse_int("heartbeat-timeout-ms", v, 50, max_duration_ms);
       }},
      {"registration-timeout-ms",
       "wait this long for task managers' slots, or for the job manager (default 60000)", false,
       [](job_config& c, const std::string& v) {
         c.cluster.registration_timeout_ms =
             parse_int("registration-timeout-ms", v, 1, max_duration_ms);
       }},
      {"state-backend", "where keyed state lives: heap|rocksdb (default heap)", false,
       [](job_config& c, const std::string& v) {
         c.state.kind = parse_named("state-backend", [&] { return parse_state_backend(v); });
       }},
      {"state-dir", "directory of RocksDB instances (default: a fresh dir under the temp dir)",
       false,
       [](job_config& c, const std::string& v) {
         if (v.empty())
           throw config_error("flag --state-dir: the path is empty");
         c.state.state_dir = v;
       }},
      {"state-memory-mb", "MiB of memory all RocksDB instances share (default 256)", false,
       [](job_config& c, const std::string& v) {
         c.state.memory_mb = static_cast<std::size_t>(parse_int("state-memory-mb", v, 1, 1 << 20));
       }},
      {"state-cache-entries",
       "entries of the cache in front of each RocksDB state of a subtask but maps (default "
       "65536; 0: none)",
       false,
       [](job_config& c, const std::string& v) {
         c.state.cache_entries =
             static_cast<std::size_t>(parse_int("state-cache-entries", v, 0, 1 << 30));
       }},
      {"rocksdb-compaction", "universal|level: how RocksDB compacts state (default universal)",
       false,
       [](job_config& c, const std::string& v) {
         c.state.compaction =
             parse_named("rocksdb-compaction", [&] { return parse_rocksdb_compaction(v); });
       }},
      {"checkpoint-interval-ms", "checkpoint every MS (default 0: no checkpoints)", false,
       [](job_config& c, const std::string& v) {
         c.checkpointing.interval_ms = parse_int("checkpoint-interval-ms", v, 0, max_duration_ms);
       }},
      {"checkpoint-dir", "where checkpoints go (needed with checkpoints)", false,
       [](job_config& c, const std::string& v) {
         if (v.empty())
           throw config_error("flag --checkpoint-dir: the path is empty");
         c.checkpointing.checkpoint_dir = v;
       }},
      {"savepoint-dir", "where savepoints go when a request names no directory", false,
       [](job_config& c, const std::string& v) {
         if (v.empty())
           throw config_error("flag --savepoint-dir: the path is empty");
         c.checkpointing.savepoint_dir = v;
       }},
      {"savepoint-on-stop", "on SIGTERM/SIGINT, stop the job with a savepoint into DIR", false,
       [](job_config& c, const std::string& v) {
         if (v.empty())
           throw config_error("flag --savepoint-on-stop: the path is empty");
         c.checkpointing.savepoint_on_stop = v;
       }},
      {"checkpointing-mode", "exactly-once|at-least-once (default exactly-once)", false,
       [](job_config& c, const std::string& v) {
         c.checkpointing.mode =
             parse_named("checkpointing-mode", [&] { return parse_checkpointing_mode(v); });
       }},
      {"checkpoint-timeout-ms", "abort a checkpoint not done after MS (default 600000)", false,
       [](job_config& c, const std::string& v) {
         c.checkpointing.timeout_ms = parse_int("checkpoint-timeout-ms", v, 10, max_duration_ms);
       }},
      {"min-pause-between-checkpoints-ms", "from one checkpoint's end to the next (default 0)",
       false,
       [](job_config& c, const std::string& v) {
         c.checkpointing.min_pause_ms =
             parse_int("min-pause-between-checkpoints-ms", v, 0, max_duration_ms);
       }},
      {"tolerable-checkpoint-failures", "failed checkpoints in a row the job survives (default 0)",
       false,
       [](job_config& c, const std::string& v) {
         c.checkpointing.tolerable_failures =
             static_cast<int>(parse_int("tolerable-checkpoint-failures", v, 0, max_count));
       }},
      {"retained-checkpoints", "completed checkpoints kept (default 3)", false,
       [](job_config& c, const std::string& v) {
         c.checkpointing.retained = static_cast<int>(parse_int("retained-checkpoints", v, 1, 1000));
       }},
      {"unaligned-checkpoints", "barriers overtake in-flight data, stored with the checkpoint",
       true, [](job_config& c, const std::string&) { c.checkpointing.unaligned = true; }},
      {"incremental-checkpoints",
       "true|false: RocksDB checkpoints write only the SST files no earlier one wrote, heap "
       "checkpoints only the key groups that changed (default true; savepoints stay full)",
       false,
       [](job_config& c, const std::string& v) {
         c.checkpointing.incremental = parse_true_false("incremental-checkpoints", v);
       }},
      {"local-recovery",
       "true|false: a task manager keeps a local copy of its subtasks' latest keyed state and "
       "restores from it after a failure (default false)",
       false,
       [](job_config& c, const std::string& v) {
         c.checkpointing.local_recovery = parse_true_false("local-recovery", v);
       }},
      {"aligned-checkpoint-timeout-ms", "unaligned checkpoints align first, for MS (default 0)",
       false,
       [](job_config& c, const std::string& v) {
         c.checkpointing.aligned_timeout_ms =
             parse_int("aligned-checkpoint-timeout-ms", v, 0, max_duration_ms);
       }},
      {"restore", "start from a checkpoint or savepoint: PATH or latest (in --checkpoint-dir)",
       false,
       [](job_config& c, const std::string& v) {
         if (v.empty())
           throw config_error("flag --restore: the path is empty");
         c.checkpointing.restore = v;
       }},
      {"allow-non-restored-state", "with --restore: skip state no operator of the job takes",
       true,
       [](job_config& c, const std::string&) { c.checkpointing.allow_non_restored_state = true; }},
      {"restart-strategy",
       "none|fixed-delay|exponential-delay|failure-rate (default: exponential-delay with "
       "checkpoints, none without)",
       false,
       [](job_config& c, const std::string& v) {
         c.restart.kind =
             parse_named("restart-strategy", [&] { return parse_restart_strategy_kind(v); });
       }},
      {"restart-attempts", "fixed-delay: restarts before the job fails (default 1)", false,
       [](job_config& c, const std::string& v) {
         c.restart.attempts = static_cast<int>(parse_int("restart-attempts", v, 0, max_count));
       }},
      {"restart-delay-ms", "delay before a restart; exponential-delay: the first (default 1000)",
       false,
       [](job_config& c, const std::string& v) {
         c.restart.delay_ms = parse_int("restart-delay-ms", v, 0, max_duration_ms);
       }},
      {"restart-max-delay-ms", "exponential-delay: the longest delay (default 300000)", false,
       [](job_config& c, const std::string& v) {
         c.restart.max_delay_ms = parse_int("restart-max-delay-ms", v, 1, max_duration_ms);
       }},
      {"restart-multiplier", "exponential-delay: delay factor per failure (default 2.0)", false,
       [](job_config& c, const std::string& v) {
         c.restart.multiplier = parse_double("restart-multiplier", v);
       }},
      {"restart-reset-after-ms",
       "exponential-delay: first delay again after MS without failure (default 3600000)", false,
       [](job_config& c, const std::string& v) {
         c.restart.reset_after_ms = parse_int("restart-reset-after-ms", v, 1, max_duration_ms);
       }},
      {"restart-failure-rate", "failure-rate: failures per interval it restarts (default 1)",
       false,
       [](job_config& c, const std::string& v) {
         c.restart.failure_rate =
             static_cast<int>(parse_int("restart-failure-rate", v, 1, max_count));
       }},
      {"restart-failure-interval-ms", "failure-rate: the interval (default 60000)", false,
       [](job_config& c, const std::string& v) {
         c.restart.failure_interval_ms =
             parse_int("restart-failure-interval-ms", v, 1, max_duration_ms);
       }},
  };
  return flags;
}

} // namespace

state_backend_config job_config::default_state_config() {
  state_backend_config c;
  c.state_dir = default_state_dir();
  return c;
}

int job_config::default_parallelism() const {
  if (parallelism > 0)
    return parallelism;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

void job_config::validate() const {
  if (parallelism > max_parallelism)
    throw config_error("flag --parallelism: " + std::to_string(parallelism) +
                       " exceeds --max-parallelism " + std::to_string(max_parallelism));
  cluster.validate();
  try {
    checkpointing.validate();
    restart.validate(checkpointing.enabled());
  } catch (const std::invalid_argument& e) {
    throw config_error(e.what()); // the message names the flag
  }
}

namespace {

/// A flag the program accepts: a common one or one of the job's own.
struct known_flag {
  const common_flag* common = nullptr;
  const flag_spec* own = nullptr;

  bool is_switch() const { return common ? common->is_switch : own->is_switch; }

  /// Sets the flag's value in `config`; a bad value throws config_error naming the flag.
  void apply(job_config& config, const std::string& value) const {
    if (common)
      common->apply(config, value);
    else
      config.job_flags[own->name] = own->is_switch ? "true" : value;
  }
};

std::optional<known_flag> find_flag(const std::string& name,
                                    const std::vector<flag_spec>& job_flags) {
  for (const auto& f : common_flags())
    if (name == f.name)
      return known_flag{&f, nullptr};
  for (const auto& f : job_flags)
    if (name == f.name)
      return known_flag{nullptr, &f};
  return std::nullopt;
}

/// The names of the common flags and the job's own, in --help order.
std::vector<std::string> flag_names(const std::vector<flag_spec>& job_flags) {
  std::vector<std::string> names;
  for (const auto& f : job_flags)
    names.push_back(f.name);
  for (const auto& f : common_flags())
    names.emplace_back(f.name);
  return names;
}

/// "; did you mean <open>NAME<close>?" for the known name nearest to `name`, or "".
std::string did_you_mean(const std::string& name, const std::vector<std::string>& known,
                         const std::string& open, const std::string& close) {
  auto nearest = nearest_name(name, known);
  return nearest ? "; did you mean " + open + *nearest + close + "?" : "";
}

/// Applies the entries of the configuration file at `path` to `config`: each key is the name
/// of a flag (common or the job's own), its value what the flag would take; a switch takes
/// true or false. Errors name the file, the line and the key.
void apply_config_file(job_config& config, const std::string& path,
                       const std::vector<flag_spec>& job_flags) {
  for (const auto& entry : read_config_file(path)) {
    const auto at = path + ":" + std::to_string(entry.line) + ": ";
    auto flag = find_flag(entry.key, job_flags);
    if (!flag)
      throw config_error(at + "unknown key '" + entry.key + "'" +
                         did_you_mean(entry.key, flag_names(job_flags), "'", "'") +
                         " (keys are the flags' names, see --help)");
    const auto key = at + "key '" + entry.key + "': ";
    if (!entry.not_a_value.empty())
      throw config_error(key + "expected a value, found " + entry.not_a_value);
    if (flag->is_switch()) {
      if (entry.value != "true" && entry.value != "false")
        throw config_error(key + "'" + entry.value + "' is not true or false");
      if (entry.value == "true")
        flag->apply(config, {});
      continue;
    }
    try {
      flag->apply(config, entry.value);
    } catch (const config_error& e) {
      // The flags' errors read "flag --NAME: what is wrong"; here the key names the flag.
      std::string what = e.what();
      const auto named = "flag --" + entry.key + ": ";
      throw config_error(key + (what.rfind(named, 0) == 0 ? what.substr(named.size()) : what));
    }
  }
}

} // namespace

parsed_args parse_args(const std::vector<std::string>& args,
                       const std::vector<flag_spec>& job_flags) {
  parsed_args out;
  for (const auto& spec : job_flags)
    if (spec.default_value)
      out.config.job_flags[spec.name] = *spec.default_value;
  std::optional<std::string> config_file;
  std::vector<std::pair<known_flag, std::string>> given;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      out.help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0 || arg.size() == 2)
      throw config_error("unexpected argument '" + arg + "' (flags start with --)");
    auto name = arg.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    auto take_value = [&](bool is_switch) -> std::string {
      if (is_switch) {
        if (value)
          throw config_error("flag --" + name + " takes no value");
        return {};
      }
      if (value)
        return *value;
      if (i + 1 >= args.size())
        throw config_error("flag --" + name + " needs a value");
      return args[++i];
    };
    if (name == "config") {
      if (config_file)
        throw config_error("flag --config is given twice: one configuration file at most");
      config_file = take_value(false);
      if (config_file->empty())
        throw config_error("flag --config: the path is empty");
      continue;
    }
    auto flag = find_flag(name, job_flags);
    if (!flag) {
      auto known = flag_names(job_flags);
      known.insert(known.end(), {"config", "help"});
      throw config_error("unknown flag --" + name + did_you_mean(name, known, "--", "") +
                         " (see --help)");
    }
    given.emplace_back(*flag, take_value(flag->is_switch()));
  }
  if (config_file)
    apply_config_file(out.config, *config_file, job_flags);
  for (const auto& [flag, value] : given) // flags override the file
    flag.apply(out.config, value);
  try {
    out.config.validate();
  } catch (const config_error& e) {
    if (!config_file)
      throw;
    throw config_error(*config_file + " and the flags: " + e.what());
  }
  return out;
}

std::string usage(const std::string& program, const std::vector<flag_spec>& job_flags) {
  std::ostringstream os;
  auto line = [&](const std::string& name, bool is_switch, const std::string& help) {
    auto left = "  --" + name + (is_switch ? "" : " VALUE");
    os << left << std::string(left.size() < 30 ? 30 - left.size() : 1, ' ') << help << '\n';
  };
  os << "usage: " << program << " [flags]\n";
  if (!job_flags.empty()) {
    os << "job flags:\n";
    for (const auto& f : job_flags)
      line(f.name, f.is_switch,
           f.help + (f.default_value && !f.default_value->empty()
                         ? " (default " + *f.default_value + ")"
                         : ""));
  }
  os << "common flags:\n";
  for (const auto& f : common_flags())
    line(f.name, f.is_switch, f.help);
  line("config", false, "a YAML file of flags (key: flag name), overridden by flags given here");
  line("help", true, "print this help");
  return os.str();
}

} // namespace sluice
