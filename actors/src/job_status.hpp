#pragma once
// The in-process meeting point of a running job and its client: the result once known, and
// the counters of every subtask.

#include "sluice/actors/subtask_counters.hpp"
#include "sluice/operators/job_result.hpp"

#include <condition_variable>
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

private:
  mutable std::mutex mutex_;
  std::condition_variable done_;
  std::optional<job_result> result_;
  std::vector<std::shared_ptr<subtask_counters>> counters_;
};

} // namespace sluice
