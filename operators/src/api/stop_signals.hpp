#pragma once
// SIGTERM and SIGINT while execute() waits for a job: the first stops the job gracefully (a
// savepoint into --savepoint-on-stop when given and the process runs the job manager, else a
// cancel), a second one ends the process at once with 128 + the signal.

#include "sluice/operators/api/job_runner.hpp"

#include <atomic>
#include <csignal>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace sluice {

class stop_signals {
public:
  /// Blocks SIGTERM and SIGINT in the calling thread, so that the threads the job starts
  /// inherit the mask and only watch() takes them.
  stop_signals();
  /// Stops watching, joins the stop in progress, and restores the calling thread's mask.
  ~stop_signals();
  stop_signals(const stop_signals&) = delete;
  stop_signals& operator=(const stop_signals&) = delete;

  /// Watches for the signals until destruction: on the first, runs `stop` on its own thread
  /// (a savepoint may take a while; a second signal must still be seen).
  void watch(std::function<void(int signo)> stop);
  /// The first signal received, 0 if none.
  int received() const { return received_.load(); }

private:
  sigset_t signals_{};
  sigset_t old_mask_{};
  int signal_fd_ = -1; ///< the blocked signals, read by the watcher
  int wake_fd_ = -1;   ///< an eventfd the destructor writes to end the watcher
  std::atomic<int> received_{0};
  std::thread watcher_;
  std::thread stopper_;
};

/// The stop for `client` on the first signal: a savepoint into `savepoint_dir` (if not empty),
/// falling back to a cancel if that fails; logged.
std::function<void(int)> graceful_stop(job_client& client, const std::string& job_name,
                                       const std::string& savepoint_dir);

} // namespace sluice
