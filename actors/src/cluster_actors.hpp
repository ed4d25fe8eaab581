#pragma once
// The job manager and task manager actors.

#include "job_status.hpp"
#include "sluice/actors/messages.hpp"
#include "sluice/operators/execution_plan.hpp"

#include <memory>
#include <string>

namespace sluice {

/// What a task manager runs subtasks with.
struct task_manager_setup {
  std::shared_ptr<const execution_plan> plan;
  std::shared_ptr<const job_config> config;
  std::string job_name;
  std::shared_ptr<job_status> status;
  int slots = 1;
};

/// Spawns subtasks on deploy_msg (one subtask per vertex per slot) and replies with them.
caf::behavior task_manager(caf::event_based_actor* self, task_manager_setup setup);

struct job_manager_setup {
  std::shared_ptr<const execution_plan> plan;
  std::string job_name;
  std::shared_ptr<job_status> status;
  caf::actor task_manager;
};

struct job_manager_state {
  std::vector<caf::actor> subtasks;
  std::vector<bool> finished;
  std::size_t deployed = 0;
  std::size_t done = 0;
  bool ended = false;
  std::chrono::steady_clock::time_point started_at;
};

/// Deploys every subtask, starts them, watches them, and reports the job's result.
caf::behavior job_manager(caf::stateful_actor<job_manager_state>* self, job_manager_setup setup);

} // namespace sluice
