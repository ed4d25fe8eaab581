#pragma once
// The progress bar of a bounded job run in a terminal, locally or as a job manager process
// (docs/terminal.md): how much of its sources' input is read (bytes of files; records of bounded Kafka partitions), records per
// second, elapsed time and ETA, redrawn on stderr as a status line (logging.hpp) so log lines
// do not tear it.

#include "sluice/operators/api/job_config.hpp"
#include "sluice/operators/api/job_result.hpp"
#include "sluice/operators/api/job_runner.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace sluice {

/// How far the sources of a job are, from their subtasks' counters.
struct input_progress {
  std::uint64_t done = 0;  ///< bytes (or records) read
  std::uint64_t total = 0; ///< bytes (or records) in all
  bool bytes = true;       ///< what done and total count
  std::uint64_t records = 0; ///< records the sources read
};

/// The progress of the subtasks of `source_vertices` in `metrics`: by bytes if every one knows
/// the size of its input, else by records if every one knows its pending records; nothing
/// if neither (an unbounded source, or one not started yet). Of a subtask restarted, the
/// latest attempt counts (the last of its entries).
std::optional<input_progress> measure_progress(const std::vector<subtask_metrics>& metrics,
                                               const std::set<int>& source_vertices);

/// The status line for `p`: a bar, the percentage, done/total, records per second, elapsed
/// and the ETA (or "done" when `finished`), at most `width` columns.
std::string progress_line(const input_progress& p, double records_per_s, double units_per_s,
                          std::chrono::milliseconds elapsed, bool finished, std::size_t width);

/// "512 B", "3.4 KiB", "12.0 MiB", "1.5 GiB".
std::string format_bytes(std::uint64_t bytes);

/// Whether a job run with `config` shows a bar: a local job or a job manager (whose task
/// managers' reports it shows), without --no-progress, whose stderr is a terminal.
bool progress_wanted(const job_config& config);

/// Draws the bar of a running job every 250 ms on its own thread until finish().
class progress_bar {
public:
  progress_bar(const job_client& client, std::set<int> source_vertices);
  ~progress_bar();
  progress_bar(const progress_bar&) = delete;
  progress_bar& operator=(const progress_bar&) = delete;

  /// Stops redrawing; draws the final state from `result`'s counters (a job manager's: the
  /// latest reported) and leaves it on the screen.
  void finish(const job_result& result);

private:
  void run();
  /// Draws the state of `metrics`, if known.
  void draw(const std::vector<subtask_metrics>& metrics, bool finished);

  const job_client& client_;
  std::set<int> sources_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  /// Recent samples (time, records, units done): rates are over the last few seconds.
  struct sample {
    std::chrono::steady_clock::time_point at;
    std::uint64_t records;
    std::uint64_t done;
  };
  std::deque<sample> samples_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

} // namespace sluice
