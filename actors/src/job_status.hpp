#pragma once
// The in-process meeting point of a running job and its client: the result once known, and
// the counters of every subtask.

#include "sluice/actors/subtask_counters.hpp"
#include "sluice/checkpoint/checkpoint_stats.hpp"
#include "sluice/operators/api/job_result.hpp"

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace sluice {

class job_status {
public:
  /// Sets the result; the first call wins.
  void complete(job_result result) {
    std::lock_guard<std::mutex> guard(mutex_);
    if (!result_)
      result_ = std::move(result);
    done_.notify_all();
  }

  job_result wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return result_.has_value(); });
    return *result_;
  }

  /// Counters for a new subtask (kept for the job's lifetime).
  std::shared_ptr<subtask_counters> add_counters() {
    std::lock_guard<std::mutex> guard(mutex_);
    counters_.push_back(std::make_shared<subtask_counters>());
    return counters_.back();
  }

  std::vector<subtask_metrics> metrics() const {
    std::lock_guard<std::mutex> guard(mutex_);
    std::vector<subtask_metrics> out;
    for (const auto& c : counters_)
      out.push_back(c->snapshot());
    return out;
  }

  /// A job manager process: the latest counters its task managers reported of every subtask
  /// (job_metrics.hpp; at most one --metrics-interval-ms plus a round trip old).
  void set_reported(std::vector<subtask_metrics> reported) {
    std::lock_guard<std::mutex> guard(mutex_);
    reported_ = std::move(reported);
  }

  std::vector<subtask_metrics> reported() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return reported_;
  }

  /// How many completed checkpoints completed_checkpoints() keeps.
  static constexpr std::size_t checkpoint_history = 100;

  /// A checkpoint or savepoint completed (the oldest beyond checkpoint_history are dropped).
  void add_completed_checkpoint(checkpoint_stats stats) {
    std::lock_guard<std::mutex> guard(mutex_);
    if (checkpoints_.size() == checkpoint_history)
      checkpoints_.pop_front();
    checkpoints_.push_back(std::move(stats));
  }

  std::vector<checkpoint_stats> completed_checkpoints() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return {checkpoints_.begin(), checkpoints_.end()};
  }

private:
  mutable std::mutex mutex_;
  std::condition_variable done_;
  std::optional<job_result> result_;
  std::vector<std::shared_ptr<subtask_counters>> counters_;
  std::vector<subtask_metrics> reported_;
  std::deque<checkpoint_stats> checkpoints_;
};

} // namespace sluice
