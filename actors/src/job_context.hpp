#pragma once
// What every part of the job manager (job_manager.hpp) shares: the job's setup, the state of
// its current deployment, and the clocks. Plain data: the job manager changes it (and
// job_restarts, cancelling a failed attempt), the other parts read it.

#include "job_status.hpp"
#include "sluice/actors/messages.hpp"
#include "sluice/operators/plan/execution_plan.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice {

/// A task manager known to the job manager.
struct task_manager_entry {
  caf::actor actor;
  std::string name;         ///< "host:pid" ("local" in the embedded cluster)
  std::string peer_address; ///< where other task managers connect to it
  int slots = 0;
  bool ready = false;       ///< connected to its peers, its slots usable
  std::string data_address; ///< where its subtasks receive data from other processes, or ""
};

struct job_manager_setup {
  std::shared_ptr<const execution_plan> plan;
  std::shared_ptr<const job_config> config;
  std::string job_name;
  std::shared_ptr<job_status> status;
  /// The embedded cluster's task manager; none for a job manager process, whose task managers
  /// register (task_manager_registry.hpp).
  std::optional<task_manager_entry> local_task_manager;
};

/// Where a subtask runs.
struct subtask_location {
  std::string task_manager;
  int slot = 0;
  std::string data_address; ///< its task manager's (task_manager_entry::data_address)
};

/// The job's subtasks, by flat subtask index (flat_subtask_index), and where the job is in
/// its life.
struct job_deployment {
  std::vector<caf::actor> subtasks; ///< of the current attempt; null until deployed
  std::vector<bool> finished;
  std::vector<subtask_location> locations; ///< of the last deployment
  std::size_t deployed = 0;
  std::size_t done = 0;
  bool deployed_once = false;
  bool restarting = false; ///< between a failure and the redeployment
  bool ended = false;
  int attempt = 0;           ///< deployments so far minus one
  /// Rescales in place so far: the wiring generation of the subtasks' channels (wire_channel).
  std::int32_t generation = 0;
  std::string restored_from; ///< `_metadata` the latest deployment restored, or ""
  std::chrono::steady_clock::time_point started_at;

  /// Every subtask of the current attempt is deployed (and started).
  bool all_deployed() const { return deployed == subtasks.size(); }
};

/// Milliseconds of the steady clock (the job manager's timers and restart strategy).
std::int64_t steady_now_ms();

/// Milliseconds since the epoch: the checkpoint coordinator's clock (trigger timestamps travel
/// to subtasks) and the metrics'.
std::int64_t wall_clock_ms();

/// "name (i/n)" of subtask `subtask` of vertex `vertex` of the job's current plan.
std::string task_name(const job_manager_setup& setup, int vertex, int subtask);

/// The number of subtasks of `plan`.
std::size_t subtask_count(const execution_plan& plan);

/// The index of subtask `subtask` of vertex `vertex` among all subtasks (by vertex, then index).
std::size_t flat_subtask_index(const execution_plan& plan, int vertex, int subtask);

} // namespace sluice
