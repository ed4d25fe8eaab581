#pragma once
// How execute() reaches the runtime without operators/ depending on it: the runtime (actors/)
// installs a job_runner; the umbrella header <sluice/sluice.hpp> does that for job programs.

#include "sluice/checkpoint/checkpoint_error.hpp"
#include "sluice/checkpoint/checkpoint_stats.hpp"
#include "sluice/operators/api/job_result.hpp"
#include "sluice/operators/plan/execution_plan.hpp"

#include <memory>
#include <string>
#include <vector>

namespace sluice {

/// A running job.
class job_client {
public:
  virtual ~job_client() = default;
  /// Blocks until the job ends; returns its result (the same on every call).
  virtual job_result wait() = 0;
  /// Asks the job to stop; wait() then returns a result whose error says it was cancelled.
  virtual void cancel() = 0;
  /// The subtasks' counters now.
  virtual std::vector<subtask_metrics> metrics() const = 0;
  /// The statistics of the latest completed checkpoints and savepoints, oldest first: id,
  /// duration, state size, and per subtask alignment time, start delay and in-flight bytes.
  virtual std::vector<checkpoint_stats> completed_checkpoints() const { return {}; }
  /// Takes a savepoint into `dir` (empty: --savepoint-dir) and returns its directory
  /// (`<dir>/savepoint-<job id>-<id>`); the job goes on. Blocks until it completed; throws
  /// checkpoint_error saying why when there is none.
  virtual std::string trigger_savepoint(const std::string& dir) {
    (void)dir;
    throw checkpoint_error("savepoints are not supported by this runtime");
  }
  /// Stops the job with a savepoint into `dir` (empty: --savepoint-dir): sources stop, the
  /// savepoint is taken (with `drain`, after the maximum watermark fired every event-time
  /// window and timer), sinks commit, and the job finishes successfully. Returns the
  /// savepoint's directory; throws checkpoint_error saying why when there is none (the job
  /// then goes on).
  virtual std::string stop_with_savepoint(const std::string& dir, bool drain) {
    (void)dir;
    (void)drain;
    throw checkpoint_error("savepoints are not supported by this runtime");
  }
  /// Rescales the running job without a restart of any process: every operator whose
  /// parallelism the job program did not set runs at `parallelism` (`vertex` empty), or the
  /// operators chained with the operator of uid `vertex` do. The job stops at a checkpoint
  /// (needs --checkpoint-dir; sinks commit) and its subtasks are deployed again from it.
  /// Blocks until they run; returns what changed ("'keyed sum' 2 -> 3"); throws
  /// checkpoint_error saying why when there is no rescale (the job then goes on unchanged).
  virtual std::string rescale(int parallelism, const std::string& vertex) {
    (void)parallelism;
    (void)vertex;
    throw checkpoint_error("rescaling is not supported by this runtime");
  }
};

/// Starts jobs.
class job_runner {
public:
  virtual ~job_runner() = default;
  virtual std::unique_ptr<job_client> start(std::shared_ptr<const execution_plan> plan,
                                            const job_config& config,
                                            const std::string& job_name) = 0;
};

/// Installs the runner execute() uses (the runtime calls this; the last call wins).
void set_job_runner(std::shared_ptr<job_runner> runner);
std::shared_ptr<job_runner> get_job_runner();

} // namespace sluice
