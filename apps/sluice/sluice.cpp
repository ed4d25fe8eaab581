// sluice: the command-line client of a job manager process (list, status, cancel, savepoint,
// stop, taskmanagers), and `checkpoints gc DIR`, which needs none. Exit codes: 0 success, 1 the
// command failed, 2 usage error, 3 the job manager cannot be reached.

#include "checkpoints_gc.hpp"
#include "json_output.hpp"
#include "tables.hpp"
#include "watch.hpp"

#include "sluice/actors/cluster_client.hpp"
#include "sluice/operators/api/job_config.hpp"

#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace sluice;

constexpr int exit_failed = 1;
constexpr int exit_usage = 2;
constexpr int exit_unreachable = 3;

const char* const usage_text =
    R"(usage: sluice --jobmanager HOST:PORT COMMAND [ARGS] [--json] [--timeout-ms MS]
              [--tls-cert FILE --tls-key FILE --tls-ca FILE]
       sluice checkpoints gc DIR [--json]

Commands (JOB: the job's id, or its name):
  list                                 jobs: id, state, uptime, name
  status JOB                           the job's subtasks: task manager and slot, records
                                       in and out, time backpressured; latest checkpoint
  status JOB --watch [--interval-ms MS] [--count N]
                                       refreshes like top every MS (default 1000): per
                                       vertex records and records/s in and out, busy and
                                       backpressured time, watermark lag; the latest
                                       checkpoint. Ends when the job ends, or after N
                                       refreshes (--json: one object per line)
  taskmanagers                         task managers: name, peer address, slots, slots in
                                       use, ready
  cancel JOB                           cancels the job (its job manager exits non-zero)
  savepoint JOB [DIR]                  takes a savepoint under DIR (default: the job's
                                       --savepoint-dir); prints its directory
  stop JOB [--savepoint DIR] [--drain] stops the job with a savepoint; prints its directory
                                       (--drain: emit the maximum watermark first)
  rescale JOB --parallelism N [--vertex UID]
                                       rescales the running job without a restart: every
                                       operator whose parallelism the program did not set
                                       (or, with --vertex, those chained with the operator
                                       of that uid) runs at N. The job stops at a checkpoint
                                       (it needs --checkpoint-dir) and its subtasks are
                                       deployed again from it; prints what changed

Without a job manager:
  checkpoints gc DIR                   removes what a crash left in checkpoint directories,
                                       as a job's start does: chk-N without _metadata, and
                                       files in shared/ no completed checkpoint references.
                                       DIR: a job's directory (<checkpoint-dir>/<job id>) or
                                       a --checkpoint-dir holding them. Only while the jobs
                                       are not running (a running job's pending checkpoint
                                       would go)

Flags:
  --jobmanager HOST:PORT  the job manager (its --jobmanager-bind)
  --json                  print one JSON object instead of tables
  --timeout-ms MS         how long to wait for the connection and for each answer
                          (default 60000; savepoints of large state may need more)
  --tls-cert FILE         with --tls-key and --tls-ca: mutual TLS, needed when the job
  --tls-key FILE          manager runs with TLS (a certificate signed by the CA, its
  --tls-ca FILE           key, the CA's certificate; PEM files; docs/security.md)
  --parallelism N         rescale: the new parallelism
  --vertex UID            rescale: only the operators chained with the operator UID
  --watch                 status: refresh until the job ends (see above)
  --interval-ms MS        status --watch: time between refreshes (default 1000)
  --count N               status --watch: stop after N refreshes
  --help                  this text

Exit codes:
  0  success
  1  the command failed (unknown job, the savepoint failed, ...); the reason on stderr
  2  usage error (unknown command or flag, missing argument, a bad TLS file); named on
     stderr
  3  the job manager cannot be reached (connection refused, no answer within --timeout-ms)
)";

class usage_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct invocation {
  std::optional<host_port> job_manager;
  std::string command;
  std::vector<std::string> operands;
  std::optional<std::string> savepoint_dir; ///< stop --savepoint DIR
  bool drain = false;
  bool json = false;
  bool watch = false;                       ///< status --watch
  std::optional<std::chrono::milliseconds> interval; ///< --interval-ms
  std::optional<long> count;                ///< --count
  std::optional<long> parallelism;          ///< rescale --parallelism N
  std::optional<std::string> vertex;        ///< rescale --vertex UID
  bool help = false;
  std::chrono::milliseconds timeout{60000};
  tls_files tls;
};

/// What a command prints: a text for people, a JSON object for scripts.
struct output {
  std::string text;
  nlohmann::json json;
};

struct command {
  std::size_t min_operands;
  std::size_t max_operands;
  const char* operands; ///< for usage errors
  std::function<output(cluster_client&, const invocation&)> run;
};

output savepoint_output(const std::string& dir) {
  return {dir + "\n", {{"savepoint", dir}}};
}

const std::map<std::string, command>& commands() {
  static const std::map<std::string, command> all{
      {"list",
       {0, 0, "", [](cluster_client& c, const invocation&) {
          auto jobs = c.list_jobs();
          return output{cli::jobs_table(jobs), cli::jobs_json(jobs)};
        }}},
      {"status",
       {1, 1, "JOB", [](cluster_client& c, const invocation& inv) {
          auto job = c.job(inv.operands[0]);
          return output{cli::job_table(job), cli::job_json(job)};
        }}},
      {"taskmanagers",
       {0, 0, "", [](cluster_client& c, const invocation&) {
          auto tms = c.task_managers();
          return output{cli::task_managers_table(tms), cli::task_managers_json(tms)};
        }}},
      {"cancel",
       {1, 1, "JOB", [](cluster_client& c, const invocation& inv) {
          auto id = c.cancel(inv.operands[0]);
          return output{"cancelled job " + id + "\n", {{"cancelled", id}}};
        }}},
      {"savepoint",
       {1, 2, "JOB [DIR]", [](cluster_client& c, const invocation& inv) {
          return savepoint_output(
              c.savepoint(inv.operands[0], inv.operands.size() > 1 ? inv.operands[1] : ""));
        }}},
      {"stop",
       {1, 1, "JOB [--savepoint DIR] [--drain]", [](cluster_client& c, const invocation& inv) {
          return savepoint_output(
              c.stop(inv.operands[0], inv.savepoint_dir.value_or(""), inv.drain));
        }}},
      {"rescale",
       {1, 1, "JOB --parallelism N [--vertex UID]", [](cluster_client& c, const invocation& inv) {
          auto done = c.rescale(inv.operands[0], static_cast<int>(*inv.parallelism),
                                inv.vertex.value_or(""));
          return output{done + "\n", {{"rescaled", done}}};
        }}},
  };
  return all;
}

/// The value of flag `args[i]` (as "--flag VALUE" or "--flag=VALUE"); advances i.
std::string flag_value(const std::vector<std::string>& args, std::size_t& i,
                       const std::string& flag, std::optional<std::string> inline_value) {
  if (inline_value)
    return *inline_value;
  if (i + 1 >= args.size())
    throw usage_error("flag " + flag + " needs a value");
  return args[++i];
}

/// A positive whole number given to `flag`.
std::chrono::milliseconds parse_positive(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  const auto n = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || n <= 0)
    throw usage_error("flag " + flag + ": '" + text + "' is not a positive number");
  return std::chrono::milliseconds(n);
}

/// Throws usage_error unless `inv` names a command of a job manager with its operands.
void check_operands(const invocation& inv) {
  auto it = commands().find(inv.command);
  if (it == commands().end())
    throw usage_error("unknown command '" + inv.command + "'");
  const auto& cmd = it->second;
  const std::string usage = "usage: sluice " + inv.command + " " + cmd.operands;
  if (inv.operands.size() < cmd.min_operands)
    throw usage_error("missing argument for '" + inv.command + "' (" + usage + ")");
  if (inv.operands.size() > cmd.max_operands)
    throw usage_error("unexpected argument '" + inv.operands[cmd.max_operands] + "' (" + usage +
                      ")");
}

/// Throws usage_error unless `inv` is `checkpoints gc DIR`.
void check_gc_operands(const invocation& inv) {
  const std::string usage = " (usage: sluice checkpoints gc DIR)";
  if (inv.operands.empty())
    throw usage_error("missing argument for 'checkpoints'" + usage);
  if (inv.operands[0] != "gc")
    throw usage_error("unknown command 'checkpoints " + inv.operands[0] + "'" + usage);
  if (inv.operands.size() < 2)
    throw usage_error("missing argument for 'checkpoints gc'" + usage);
  if (inv.operands.size() > 2)
    throw usage_error("unexpected argument '" + inv.operands[2] + "'" + usage);
}

/// Runs `checkpoints gc DIR`; returns the exit code.
int run_checkpoints_gc(const invocation& inv) {
  try {
    const auto out = cli::checkpoints_gc(inv.operands[1]);
    if (inv.json)
      std::cout << out.json.dump() << std::endl;
    else
      std::cout << out.text << std::flush;
    return 0;
  } catch (const std::runtime_error& e) {
    std::cerr << "sluice: checkpoints gc failed: " << e.what() << std::endl;
    return exit_failed;
  }
}

invocation parse(const std::vector<std::string>& args) {
  invocation inv;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    if (arg.size() < 2 || arg[0] != '-') {
      if (inv.command.empty())
        inv.command = arg;
      else
        inv.operands.push_back(arg);
      continue;
    }
    auto eq = arg.find('=');
    const auto flag = arg.substr(0, eq);
    std::optional<std::string> inline_value;
    if (eq != std::string::npos)
      inline_value = arg.substr(eq + 1);
    if (flag == "--help" || flag == "-h")
      inv.help = true;
    else if (flag == "--json")
      inv.json = true;
    else if (flag == "--drain")
      inv.drain = true;
    else if (flag == "--jobmanager")
      try {
        inv.job_manager = parse_host_port("jobmanager", flag_value(args, i, flag, inline_value), 1);
      } catch (const config_error& e) {
        throw usage_error(e.what());
      }
    else if (flag == "--timeout-ms")
      inv.timeout = parse_positive(flag, flag_value(args, i, flag, inline_value));
    else if (flag == "--savepoint")
      inv.savepoint_dir = flag_value(args, i, flag, inline_value);
    else if (flag == "--tls-cert")
      inv.tls.cert = flag_value(args, i, flag, inline_value);
    else if (flag == "--tls-key")
      inv.tls.key = flag_value(args, i, flag, inline_value);
    else if (flag == "--tls-ca")
      inv.tls.ca = flag_value(args, i, flag, inline_value);
    else if (flag == "--watch")
      inv.watch = true;
    else if (flag == "--interval-ms")
      inv.interval = parse_positive(flag, flag_value(args, i, flag, inline_value));
    else if (flag == "--count")
      inv.count = parse_positive(flag, flag_value(args, i, flag, inline_value)).count();
    else if (flag == "--parallelism")
      inv.parallelism = parse_positive(flag, flag_value(args, i, flag, inline_value)).count();
    else if (flag == "--vertex")
      inv.vertex = flag_value(args, i, flag, inline_value);
    else
      throw usage_error("unknown flag " + flag);
    if (inline_value && (flag == "--help" || flag == "-h" || flag == "--json" || flag == "--drain" ||
                         flag == "--watch"))
      throw usage_error("flag " + flag + " takes no value");
  }
  if (inv.help)
    return inv;
  if (inv.command.empty())
    throw usage_error("no command given");
  const bool offline = inv.command == "checkpoints";
  if (offline)
    check_gc_operands(inv);
  else
    check_operands(inv);
  if (inv.command != "stop" && (inv.savepoint_dir || inv.drain))
    throw usage_error(std::string("flag ") + (inv.drain ? "--drain" : "--savepoint") +
                      " applies to 'stop' only");
  if (inv.command != "rescale" && (inv.parallelism || inv.vertex))
    throw usage_error(std::string("flag ") + (inv.parallelism ? "--parallelism" : "--vertex") +
                      " applies to 'rescale' only");
  if (inv.command == "rescale" && !inv.parallelism)
    throw usage_error("missing flag --parallelism N for 'rescale'");
  if (inv.command != "status" && inv.watch)
    throw usage_error("flag --watch applies to 'status' only");
  if (!inv.watch && (inv.interval || inv.count))
    throw usage_error(std::string("flag ") + (inv.interval ? "--interval-ms" : "--count") +
                      " applies to 'status --watch' only");
  if (offline)
    return inv;
  if (!inv.job_manager)
    throw usage_error("missing flag --jobmanager HOST:PORT");
  try {
    inv.tls.validate();
  } catch (const config_error& e) {
    throw usage_error(e.what());
  }
  return inv;
}

} // namespace

int main(int argc, char** argv) {
  invocation inv;
  try {
    inv = parse(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const usage_error& e) {
    std::cerr << "sluice: " << e.what() << " (sluice --help shows the usage)" << std::endl;
    return exit_usage;
  }
  if (inv.help) {
    std::cout << usage_text;
    return 0;
  }
  if (inv.command == "checkpoints")
    return run_checkpoints_gc(inv);
  try {
    cluster_client client(*inv.job_manager, inv.timeout, inv.tls);
    if (inv.watch)
      return cli::watch_job(client, inv.operands[0],
                            {*inv.job_manager, inv.timeout,
                             inv.interval.value_or(std::chrono::milliseconds(1000)),
                             inv.count.value_or(0), inv.json, inv.tls},
                            std::cout);
    auto out = commands().at(inv.command).run(client, inv);
    if (inv.json)
      std::cout << out.json.dump() << std::endl;
    else
      std::cout << out.text << std::flush;
    return 0;
  } catch (const cluster_unreachable& e) {
    std::cerr << "sluice: " << e.what() << std::endl;
    return exit_unreachable;
  } catch (const cluster_request_failed& e) {
    std::cerr << "sluice: " << inv.command << " failed: " << e.what() << std::endl;
    return exit_failed;
  } catch (const config_error& e) { // a TLS file that cannot be used
    std::cerr << "sluice: " << e.what() << std::endl;
    return exit_usage;
  }
}
