#include "sluice/operators/api/job_runner.hpp"

#include <mutex>

namespace sluice {

namespace {
std::mutex runner_mutex;
std::shared_ptr<job_runner>& runner_slot() {
  static std::shared_ptr<job_runner> runner;
  return runner;
}
} // namespace

void set_job_runner(std::shared_ptr<job_runner> runner) {
  std::lock_guard<std::mutex> guard(runner_mutex);
  runner_slot() = std::move(runner);
}

std::shared_ptr<job_runner> get_job_runner() {
  std::lock_guard<std::mutex> guard(runner_mutex);
  return runner_slot();
}

} // namespace sluice
