#pragma once
// The task manager actor: runs the subtasks deployed into its slots. Local, it is the embedded
// cluster's one task manager; in a task manager process, it registers with the remote job
// manager, connects to the other task managers, and goes when the job manager does.

#include "job_status.hpp"
#include "remote_data_plane.hpp"
#include "sluice/actors/messages.hpp"
#include "sluice/actors/subtask_counters.hpp"
#include "sluice/operators/plan/execution_plan.hpp"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice {

/// What a task manager runs subtasks with.
struct task_manager_setup {
  std::shared_ptr<const execution_plan> plan;
  std::shared_ptr<const job_config> config;
  std::string job_name;
  std::shared_ptr<job_status> status;
  int slots = 1;
  /// In a task manager process: the job manager to register with (null in the local runtime).
  caf::actor job_manager;
  std::string name;         ///< "host:pid", for messages
  std::string peer_address; ///< HOST:PORT other task managers connect to
  /// In a task manager process without TLS: its data connections to the other task managers'
  /// subtasks (null: data goes through CAF).
  std::shared_ptr<remote_data_plane> data_plane;
};

struct task_manager_state {
  /// The running subtasks with their counters (and, once leaving, the stopped ones until their
  /// down messages arrive).
  std::vector<std::pair<caf::actor, std::shared_ptr<subtask_counters>>> subtasks;
  bool offered = false; ///< task_manager_ready_atom sent
  /// The plan of the latest rescale deployed here (deploy_msg::parallelism), or null.
  std::shared_ptr<const execution_plan> rescaled_plan;
  /// Set when the task manager leaves: this process's result, handed to the job status once
  /// the subtasks are gone and the task manager's own exit has been announced (see leave()).
  std::shared_ptr<std::optional<job_result>> leaving =
      std::make_shared<std::optional<job_result>>();
};

using tm_actor = caf::stateful_actor<task_manager_state>*;

/// Spawns subtasks on deploy_msg into its slots and replies with them; answers metrics_atom
/// with the counters of its running subtasks.
caf::behavior task_manager(tm_actor self, task_manager_setup setup);

} // namespace sluice
