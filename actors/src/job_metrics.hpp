#pragma once
// The job manager's latest view of the job's metrics: every `--metrics-interval-ms` (default
// 1000) it asks each ready task manager for a report (its resources and its subtasks'
// counters, with a timeout of one interval) and keeps the latest two samples of every subtask
// and task manager, so rates are computed when read from the difference. A value is at most
// one interval plus the report's round trip old. Also the job's failure history and the task
// managers lost, which the REST API (rest/) renders.

#include "sluice/actors/deployment_messages.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace sluice {

/// Two successive reads of one subtask's or task manager's counters.
template <class T>
struct metric_samples {
  T latest;
  T previous;
  std::int64_t latest_ms = 0;   ///< when read (ms since the epoch); 0: never
  std::int64_t previous_ms = 0; ///< 0: one sample only

  void add(T value, std::int64_t now_ms) {
    previous = std::move(latest);
    previous_ms = latest_ms;
    latest = std::move(value);
    latest_ms = now_ms;
  }
  /// Per second between the two samples of what `f` reads (0 with fewer than two).
  template <class F>
  double rate(F&& f) const {
    if (previous_ms == 0 || latest_ms <= previous_ms)
      return 0;
    const double delta = static_cast<double>(f(latest)) - static_cast<double>(f(previous));
    return delta > 0 ? delta * 1000.0 / static_cast<double>(latest_ms - previous_ms) : 0;
  }
};

/// A failure of the job (restarted or not).
struct job_failure_record {
  std::int64_t time_ms = 0; ///< ms since the epoch
  std::string cause;
  int vertex = -1; ///< -1: not a subtask's failure (a lost task manager, a deployment)
  int subtask = -1;
};

struct job_metrics_view {
  /// How many failures the history keeps.
  static constexpr std::size_t failure_history = 32;

  std::int64_t start_time_ms = 0; ///< when the job manager started (ms since the epoch)
  std::vector<metric_samples<subtask_metrics>> subtasks; ///< by flat subtask index
  std::map<std::string, metric_samples<task_manager_report>> task_managers; ///< by name
  std::set<std::string> lost_task_managers;
  std::deque<job_failure_record> failures;

  void add_failure(job_failure_record f) {
    if (failures.size() == failure_history)
      failures.pop_front();
    failures.push_back(std::move(f));
  }
};

} // namespace sluice
