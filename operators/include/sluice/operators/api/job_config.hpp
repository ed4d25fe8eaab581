#pragma once
// The job's configuration, parsed from the command line in one place (job_config.cpp).

#include "sluice/checkpoint/checkpoint_config.hpp"
#include "sluice/checkpoint/restart_strategy_config.hpp"
#include "sluice/operators/api/cluster_config.hpp"
#include "sluice/state/state_backend_config.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice {

/// A bad flag or value; the message names the flag.
class config_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// A flag a job program adds to the common ones.
struct flag_spec {
  std::string name; ///< without the leading dashes, e.g. "input"
  std::string help;
  std::optional<std::string> default_value;
  bool is_switch = false; ///< takes no value
};

struct job_config {
  int parallelism = 0; ///< 0: the number of cores
  int max_parallelism = 128;
  std::int64_t buffer_timeout_ms = 100;
  std::size_t batch_bytes = 32768;
  /// Bytes per batch on channels whose receiver runs in another process. Credits count
  /// batches, so such a channel holds at most its credits (exclusive_credits, and floating ones
  /// of its gate's floating_credits) times this in flight, plus the sender's open batch.
  std::size_t remote_batch_bytes = 524288;
  double source_rate = 0; ///< records per second over all subtasks of a source; 0: unthrottled
  std::int64_t watermark_interval_ms = 200; ///< periodic watermarks; 0: after every record
  /// A subtask stops taking input from a channel whose watermark is more than this ahead of
  /// its input watermark (watermark alignment); 0: off.
  std::int64_t watermark_alignment_ms = 0;
  /// How often the job manager collects metrics; 0: metrics off (no busy-time clock reads).
  std::int64_t metrics_interval_ms = 1000;
  std::string log_level = "warn";
  std::string log_file;            ///< --log-file: rotating files instead of stderr
  std::string log_format = "text"; ///< --log-format text|json
  /// A local job shows a progress bar on stderr when stderr is a terminal (--no-progress: off).
  bool progress = true;
  bool chaining = true;
  /// Exclusive credits per input channel (--credits-per-channel): 8 keep a sender producing
  /// while its receiver's credits travel back (2, as Flink's buffers per channel, left
  /// sources waiting for credit: a thread switch per batch, and 0.8-0.9 of the throughput).
  int exclusive_credits = 8;
  int floating_credits = 8;  ///< per input gate
  int slots = 0;             ///< slots of a task manager; 0: enough for the job (local)
  /// --state-backend, --state-dir (default: default_state_dir()), --state-memory-mb.
  state_backend_config state = default_state_config();
  /// --checkpoint-interval-ms, --checkpoint-dir, --checkpointing-mode, --restore, ...
  checkpoint_config checkpointing;
  /// --restart-strategy and the --restart-* parameters.
  restart_strategy_config restart;
  /// --jobmanager-bind, --taskmanagers, --taskmanager, --jobmanager, --heartbeat-timeout-ms, ...
  cluster_config cluster;
  std::map<std::string, std::string> job_flags; ///< values of the job's own flags

  /// The state settings before any flag: heap, default_state_dir(), 256 MiB.
  static state_backend_config default_state_config();
  /// The effective default parallelism.
  int default_parallelism() const;
  /// Throws config_error naming the flag if a value is out of range or flags contradict.
  void validate() const;
};

/// The outcome of parsing a command line.
struct parsed_args {
  job_config config;
  bool help = false;
};

/// Parses the common flags and the job's own; unknown or malformed flags throw config_error.
parsed_args parse_args(const std::vector<std::string>& args, const std::vector<flag_spec>& job_flags);

/// The --help text: common flags and the job's own.
std::string usage(const std::string& program, const std::vector<flag_spec>& job_flags);

} // namespace sluice
