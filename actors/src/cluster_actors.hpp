#pragma once
// The job manager and task manager actors.

#include "job_status.hpp"
#include "sluice/actors/messages.hpp"
#include "sluice/checkpoint/restart_strategy.hpp"
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
  std::shared_ptr<const job_config> config;
  std::string job_name;
  std::shared_ptr<job_status> status;
  caf::actor task_manager;
};

struct job_checkpointing;

struct job_manager_state {
  std::vector<caf::actor> subtasks;
  std::vector<bool> finished;
  std::size_t deployed = 0;
  std::size_t done = 0;
  bool ended = false;
  std::chrono::steady_clock::time_point started_at;
  /// With checkpointing on (job_checkpoints.hpp).
  std::shared_ptr<job_checkpointing> checkpointing;
  // -- restarts (job_restarts.hpp) --
  std::shared_ptr<restart_strategy> restarts;
  std::vector<caf::actor> stopping; ///< cancelled subtasks of a failed attempt, until down
  int attempt = 0;                  ///< deployments so far minus one
  std::string initial_restore;      ///< `_metadata` the job started from (--restore), or ""
  bool restarting = false;          ///< between a failure and the redeployment
  bool restart_due = false;         ///< the restart delay passed
};

using jm_actor = caf::stateful_actor<job_manager_state>*;

/// Deploys every subtask, starts them, watches them, and reports the job's result.
caf::behavior job_manager(jm_actor self, job_manager_setup setup);

/// Ends the job: stops every subtask and the task manager, publishes the result, quits.
void end_job(jm_actor self, const job_manager_setup& setup, job_result result);

/// Deploys every subtask (restoring the checkpoint whose `_metadata` is `restore`, if not
/// empty) and starts them once all are deployed.
void deploy_subtasks(jm_actor self, const job_manager_setup& setup, const std::string& restore);

/// The index of subtask `subtask` of vertex `vertex` among all subtasks (by vertex, then index).
std::size_t flat_subtask_index(const execution_plan& plan, int vertex, int subtask);

} // namespace sluice
