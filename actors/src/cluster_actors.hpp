#pragma once
// The job manager actor.

#include "job_metrics.hpp"
#include "job_status.hpp"
#include "slot_placement.hpp"
#include "sluice/actors/messages.hpp"
#include "sluice/checkpoint/restart_strategy.hpp"
#include "sluice/operators/execution_plan.hpp"

#include <memory>
#include <optional>
#include <string>

namespace sluice {

/// A task manager known to the job manager.
struct task_manager_entry {
  caf::actor actor;
  std::string name;         ///< "host:pid" ("local" in the embedded cluster)
  std::string peer_address; ///< where other task managers connect to it
  int slots = 0;
  bool ready = false;       ///< connected to its peers, its slots usable
};

struct job_manager_setup {
  std::shared_ptr<const execution_plan> plan;
  std::shared_ptr<const job_config> config;
  std::string job_name;
  std::shared_ptr<job_status> status;
  /// The embedded cluster's task manager; none for a job manager process, whose task managers
  /// register (job_task_managers.hpp).
  std::optional<task_manager_entry> local_task_manager;
};

/// Where a subtask runs.
struct subtask_location {
  std::string task_manager;
  int slot = 0;
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
  // -- task managers (job_task_managers.hpp) --
  std::vector<task_manager_entry> task_managers;
  std::vector<subtask_location> locations; ///< by flat subtask index, of the last deployment
  bool deployed_once = false;
  /// Until when to wait for enough slots (steady clock ms); 0: not waiting.
  std::int64_t slots_deadline_ms = 0;
  // -- metrics (job_reports.hpp) --
  job_metrics_view metrics;
  std::string restored_from; ///< `_metadata` the latest deployment restored, or ""
};

using jm_actor = caf::stateful_actor<job_manager_state>*;

/// Deploys every subtask, starts them, watches them, and reports the job's result.
caf::behavior job_manager(jm_actor self, job_manager_setup setup);

/// Ends the job: stops every subtask and the task managers, publishes the result, quits.
void end_job(jm_actor self, const job_manager_setup& setup, job_result result);

/// Deploys every subtask onto the ready task managers' slots (restoring the checkpoint whose
/// `_metadata` is `restore`, if not empty) and starts them once all are deployed. The caller
/// checked that there are enough slots (enough_slots).
void deploy_subtasks(jm_actor self, const job_manager_setup& setup, const std::string& restore);

/// Milliseconds of the steady clock (the job manager's timers and restart strategy).
std::int64_t steady_now_ms();

/// The index of subtask `subtask` of vertex `vertex` among all subtasks (by vertex, then index).
std::size_t flat_subtask_index(const execution_plan& plan, int vertex, int subtask);

} // namespace sluice
