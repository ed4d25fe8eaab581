#pragma once
// The job manager's task managers: registration (graph fingerprint checked), readiness, loss,
// and waiting (bounded by --registration-timeout-ms) for enough slots to deploy.

#include "cluster_actors.hpp"

#include <vector>

namespace sluice {

/// A task manager process offers its slots; refused if its job graph differs. Replies with the
/// peer addresses of the task managers registered before it.
caf::result<std::vector<std::string>> on_register_task_manager(
    jm_actor self, const job_manager_setup& setup, const register_task_manager_msg& msg);

/// The sender (a registered task manager) is connected to its peers: its slots count now.
void on_task_manager_ready(jm_actor self, const job_manager_setup& setup);

/// If `dm` is about a task manager: forgets it (its subtasks fail the job through their own
/// down messages, or here if it had any) and returns true.
bool on_task_manager_down(jm_actor self, const job_manager_setup& setup, const caf::down_msg& dm);

/// Whether the ready task managers hold the slots the job needs; if not, starts waiting for
/// more (the wait ends the job after --registration-timeout-ms).
bool enough_slots(jm_actor self, const job_manager_setup& setup);

/// Deploys the job the first time once enough task managers are ready.
void maybe_start(jm_actor self, const job_manager_setup& setup);

/// The wait timer: fails the job if the slots did not come in time.
void on_slots_timeout(jm_actor self, const job_manager_setup& setup);

} // namespace sluice
