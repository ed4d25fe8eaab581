// bench_cluster: the keyed-sum pipeline (generator -> map -> key_by -> rolling sum -> discard,
// records = int64 key, int64 value, a --payload-bytes string) at parallelism 2:
//   - in one process (the embedded cluster),
//   - on a job manager and two task manager processes, one slot each, so that the two subtasks
//     of each vertex run in different processes and half of the records cross between them,
//   - beside a raw TCP copy of the bytes that cross, over loopback between two processes, in
//     writes as large as the batches the engine sends between processes (--remote-batch-bytes;
//     smaller writes make the raw copy slower: 1.7 GB/s in 32 KiB writes, 3.3 in 512 KiB);
// all of it for the default small records (bound by per-record work) and for large ones
// (--large-payload-bytes, --large-records: bound by moving bytes), at the default batch settings
// unless the flags given say otherwise; then failure detection and recovery: kill -9 of a task
// manager of a checkpointed job with a spare task manager registered, timed from the kill to
// the job manager noticing the loss and to every subtask running again from the latest
// checkpoint. With --tls, every workload also runs on a cluster whose connections are mutual TLS
// (certificates of scripts/make-certs.sh), interleaved with the runs without.
//
//   bench_cluster [--records N] [--keys K] [--payload-bytes B] [--large-records N]
//                 [--large-payload-bytes B] [--tls] [--repeat R] [--json]
// The same binary is the job manager and the task managers it starts (application mode).

#include "bench_util.hpp"
#include "child_process.hpp"
#include "tcp_copy.hpp"

#include <sluice/sluice.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <unistd.h>

namespace {

using record = std::tuple<std::int64_t, std::int64_t, std::string>;
namespace fs = std::filesystem;

struct options {
  std::uint64_t records = 0;
  std::uint64_t keys = 0;
  std::size_t payload = 0;
};

record generate(std::uint64_t i, const options& o) {
  return {static_cast<std::int64_t>((i * 0x9E3779B97F4A7C15ULL >> 20) % o.keys),
          static_cast<std::int64_t>(i), std::string(o.payload, static_cast<char>('a' + i % 26))};
}

void build_job(sluice::environment& env, const options& o) {
  env.from_source(sluice::make_generator_source([o](std::uint64_t i) { return generate(i, o); },
                                                o.records),
                  "generator")
      .map([](record r) {
        std::get<1>(r) += 1;
        return r;
      })
      .key_by([](const record& r) { return std::get<0>(r); })
      .sum<1>()
      .sink_to(sluice::discarding_sink<record>{}, "discard");
}

/// Bytes of one record on the wire.
std::size_t record_bytes(const options& o) {
  std::vector<char> bytes;
  sluice::byte_writer w(bytes);
  sluice::serializer<record>::write(w, generate(0, o));
  return w.size();
}

std::string self_path() { return fs::read_symlink("/proc/self/exe").string(); }

/// The flags this run was given: the job manager and task managers get them too.
std::vector<std::string> given_flags;

/// The flags given, then this workload's (a later flag wins).
std::vector<std::string> job_args(const options& o) {
  auto args = given_flags;
  args.insert(args.end(), {"--parallelism", "2", "--records", std::to_string(o.records),
                           "--payload-bytes", std::to_string(o.payload)});
  return args;
}

/// A job manager and task managers of this binary, with their output under `dir`.
struct cluster {
  std::string dir;
  std::vector<std::string> args;
  std::unique_ptr<bench::child_process> job_manager;
  std::vector<std::unique_ptr<bench::child_process>> task_managers;
  std::string port;

  cluster(std::string d, std::vector<std::string> a, int expected_task_managers)
      : dir(std::move(d)), args(std::move(a)) {
    std::vector<std::string> argv{self_path(), "--jobmanager-bind", "127.0.0.1:0",
                                  "--taskmanagers", std::to_string(expected_task_managers)};
    argv.insert(argv.end(), args.begin(), args.end());
    job_manager = std::make_unique<bench::child_process>(argv, dir + "/jm.out", dir + "/jm.err");
    const std::string marker = "listening on 127.0.0.1:";
    port = bench::after(bench::wait_for_line(dir + "/jm.err", marker, *job_manager,
                                             std::chrono::seconds(30)),
                        marker);
  }

  bench::child_process& add_task_manager() {
    std::vector<std::string> argv{self_path(), "--taskmanager", "--jobmanager",
                                  "127.0.0.1:" + port, "--slots", "1"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto name = dir + "/tm" + std::to_string(task_managers.size() + 1);
    task_managers.push_back(std::make_unique<bench::child_process>(argv, name + ".out",
                                                                   name + ".err"));
    return *task_managers.back();
  }
};

double in_process_records_per_s(sluice::job_config config, const options& o) {
  config.parallelism = 2;
  sluice::environment env(config);
  build_job(env, o);
  return bench::records_per_s(env, "bench_cluster", o.records);
}

/// The flags that turn on mutual TLS with the certificates of scripts/make-certs.sh in `dir`
/// (made there first).
std::vector<std::string> make_tls_flags(const std::string& dir) {
  const auto command = std::string("bash '") + SLUICE_MAKE_CERTS + "' '" + dir + "' > /dev/null";
  if (std::system(command.c_str()) != 0)
    throw std::runtime_error("cannot make certificates: " + command);
  return {"--tls-cert", dir + "/node.crt", "--tls-key", dir + "/node.key", "--tls-ca",
          dir + "/ca.crt"};
}

/// Records/s of the workload on a job manager and two task managers, all given `extra` flags.
double cluster_records_per_s(const std::string& dir, const options& o,
                             const std::vector<std::string>& extra) {
  auto args = job_args(o);
  args.insert(args.end(), extra.begin(), extra.end());
  cluster c(dir, args, 2);
  c.add_task_manager();
  c.add_task_manager();
  if (c.job_manager->wait() != 0)
    throw std::runtime_error("the cluster job failed:\n" + bench::read_file(dir + "/jm.err"));
  auto ns = std::stod(bench::after(bench::read_file(dir + "/jm.out"), "job_ns="));
  return static_cast<double>(o.records) / (ns / 1e9);
}

/// One workload's figures, each the best of the interleaved runs.
struct figures {
  options workload;
  double local = 0;  ///< records/s in one process
  double remote = 0; ///< records/s on two task manager processes
  double remote_tls = 0; ///< the same with mutual TLS (--tls; else 0)
  double tcp = 0;    ///< bytes/s of the raw TCP copy of the bytes that cross
  std::size_t tcp_write_bytes = 0; ///< its writes: the engine's remote batch size

  /// Bytes per second crossing between the task managers (half of the records).
  double crossing_bytes_per_s() const {
    return remote / 2 * static_cast<double>(record_bytes(workload));
  }

  /// One more run of each, folded into the best; the cluster with TLS too if `tls` has flags.
  void run(const sluice::job_config& config, const std::string& dir,
           const std::vector<std::string>& tls) {
    const auto crossing = workload.records / 2 * record_bytes(workload);
    local = std::max(local, in_process_records_per_s(config, workload));
    remote = std::max(remote, cluster_records_per_s(dir, workload, {}));
    if (!tls.empty())
      remote_tls = std::max(remote_tls, cluster_records_per_s(dir, workload, tls));
    tcp_write_bytes = config.remote_batch_bytes;
    tcp = std::max(tcp, bench::tcp_copy_bytes_per_s(crossing, tcp_write_bytes));
  }

  void print(const char* title) const {
    std::printf("%s: %llu records of %zu bytes on the wire\n", title,
                static_cast<unsigned long long>(workload.records), record_bytes(workload));
    std::printf("  one process, parallelism 2:   %12.0f records/s\n", local);
    std::printf("  two task manager processes:   %12.0f records/s  (%.2f of one process)\n",
                remote, remote / local);
    if (remote_tls > 0)
      std::printf("  the same with mutual TLS:      %12.0f records/s  (%.2f of without TLS)\n",
                  remote_tls, remote_tls / remote);
    std::printf("  bytes crossing processes:     %12.0f MB/s\n", crossing_bytes_per_s() / 1e6);
    std::printf("  raw TCP copy over loopback:   %12.0f MB/s  (cluster: %.2f of it; %zu-byte "
                "writes, as the engine's remote batches)\n",
                tcp / 1e6, crossing_bytes_per_s() / tcp, tcp_write_bytes);
  }
};

/// Milliseconds since midnight of a log line's "YYYY-MM-DD HH:MM:SS.mmm" local time stamp.
double log_ms_of_day(const std::string& line) {
  int h = 0, m = 0, s = 0, ms = 0;
  if (std::sscanf(line.c_str(), "%*d-%*d-%*d %d:%d:%d.%d", &h, &m, &s, &ms) != 4)
    throw std::runtime_error("no time stamp in: " + line);
  return ((h * 60.0 + m) * 60 + s) * 1000 + ms;
}

double now_ms_of_day() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  tm local{};
  ::localtime_r(&ts.tv_sec, &local);
  return ((local.tm_hour * 60.0 + local.tm_min) * 60 + local.tm_sec) * 1000 + ts.tv_nsec / 1e6;
}

/// When the job manager logged a line containing `marker` (waiting for it), in ms of the day.
double logged_at(const std::string& log, const std::string& marker, bench::child_process& jm) {
  return log_ms_of_day(bench::wait_for_line(log, marker, jm, std::chrono::seconds(60)));
}

struct recovery_figures {
  double detection_ms = 0;
  double recovery_ms = 0;
};

/// kill -9 of a task manager of a running checkpointed job, a spare task manager registered.
recovery_figures recovery(const std::string& dir, options o) {
  o.records = 1ULL << 62; // runs until killed
  auto args = job_args(o);
  for (const char* a : {"--checkpoint-interval-ms", "200", "--source-rate", "1000000",
                        "--log-level", "info", "--restart-delay-ms", "1"})
    args.emplace_back(a);
  args.push_back("--checkpoint-dir");
  args.push_back(dir + "/chk");
  cluster c(dir, args, 2);
  auto& victim = c.add_task_manager();
  c.add_task_manager();
  const auto jm_log = dir + "/jm.err";
  const auto checkpoints = fs::path(dir) / "chk" / "bench_cluster";
  bench::wait_until(
      [&] {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(checkpoints, ec))
          if (fs::exists(entry.path() / "_metadata"))
            return true;
        return false;
      },
      *c.job_manager, std::chrono::seconds(60),
      "a completed checkpoint; the job manager's log:\n" + bench::read_file(jm_log));
  auto& spare = c.add_task_manager();
  logged_at(jm_log, ":" + std::to_string(spare.pid()) + " offers", *c.job_manager);
  const double killed = now_ms_of_day();
  victim.kill();
  recovery_figures f;
  f.detection_ms = logged_at(jm_log, ":" + std::to_string(victim.pid()) + " lost", *c.job_manager) -
                   killed;
  f.recovery_ms = logged_at(jm_log, "(attempt 2)", *c.job_manager) - killed;
  return f;
}

} // namespace

int main(int argc, char** argv) {
  sluice::environment env{
      argc, argv,
      {{"records", "records per run", std::string("20000000"), false},
       {"keys", "distinct keys", std::string("100000"), false},
       {"payload-bytes", "bytes of each record's string", std::string("16"), false},
       {"large-records", "records per run with large records", std::string("5000000"), false},
       {"large-payload-bytes", "bytes of each large record's string", std::string("1000"),
        false},
       {"tls", "also run the cluster with mutual TLS, beside without", {}, true},
       bench::repeat_flag("3"),
       {"json", "print the figures as JSON on the last line", {}, true}}};
  given_flags.assign(argv + 1, argv + argc);
  options o;
  o.records = std::stoull(env.flag_or("records", "20000000"));
  o.keys = std::stoull(env.flag_or("keys", "100000"));
  o.payload = std::stoull(env.flag_or("payload-bytes", "16"));
  if (env.config().cluster.role() != sluice::process_role::local) {
    build_job(env, o);
    auto result = env.execute("bench_cluster");
    if (env.config().cluster.role() == sluice::process_role::job_manager && result.ok())
      std::printf("job_ns=%lld\n", static_cast<long long>(result.duration.count()));
    return result.exit_code();
  }
  const int repeat = bench::repeat_of(env);
  const auto dir = fs::temp_directory_path() / ("bench_cluster-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  try {
    figures small{o};
    options large_workload = o;
    large_workload.records = std::stoull(env.flag_or("large-records", "5000000"));
    large_workload.payload = std::stoull(env.flag_or("large-payload-bytes", "1000"));
    figures large{large_workload};
    const auto tls = env.flag("tls") ? make_tls_flags((dir / "certs").string())
                                     : std::vector<std::string>{};
    for (int r = 0; r < repeat; ++r) { // interleaved: the machine's load drifts
      small.run(env.config(), dir.string(), tls);
      large.run(env.config(), dir.string(), tls);
    }
    fs::remove_all(dir / "chk");
    const auto f = recovery(dir.string(), o);
    fs::remove_all(dir);
    std::printf("keys: %llu; best of %d interleaved runs; bytes crossing = half of the records\n",
                static_cast<unsigned long long>(o.keys), repeat);
    small.print("records of --payload-bytes (bound by per-record CPU work; target: the cluster "
                ">= 0.70 of one process)");
    large.print("records of --large-payload-bytes (bound by moving bytes; target: bytes crossing "
                ">= 0.50 of the raw TCP copy)");
    std::printf("kill -9 of a task manager: loss detected after %.0f ms, all subtasks running "
                "again from the latest checkpoint after %.0f ms\n",
                f.detection_ms, f.recovery_ms);
    if (env.flag("json")) {
      std::vector<std::pair<std::string, double>> json{
          {"records_per_s_in_process", small.local},
          {"records_per_s_cluster", small.remote},
          {"ratio_cluster", small.remote / small.local},
          {"cross_bytes_per_s", small.crossing_bytes_per_s()},
          {"tcp_bytes_per_s", small.tcp},
          {"ratio_tcp", small.crossing_bytes_per_s() / small.tcp},
          {"large_record_bytes", static_cast<double>(record_bytes(large_workload))},
          {"large_records_per_s_in_process", large.local},
          {"large_records_per_s_cluster", large.remote},
          {"large_ratio_cluster", large.remote / large.local},
          {"large_cross_bytes_per_s", large.crossing_bytes_per_s()},
          {"large_tcp_bytes_per_s", large.tcp},
          {"large_ratio_tcp", large.crossing_bytes_per_s() / large.tcp},
          {"failure_detection_ms", f.detection_ms},
          {"recovery_ms", f.recovery_ms}};
      if (!tls.empty())
        json.insert(json.end(), {{"records_per_s_cluster_tls", small.remote_tls},
                                 {"ratio_tls", small.remote_tls / small.remote},
                                 {"large_records_per_s_cluster_tls", large.remote_tls},
                                 {"large_ratio_tls", large.remote_tls / large.remote}});
      bench::print_json(json);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_cluster: %s\n", e.what());
    fs::remove_all(dir);
    return 1;
  }
  return 0;
}
