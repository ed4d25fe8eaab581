#pragma once
// The job manager's answers to the `sluice` tool (cluster_client.hpp), read from a read-only
// view of its state: its job, the job's subtasks with where they run and their counters (asked
// of the ready task managers, each with a finite timeout), and its task managers.

#include "job_view.hpp"

#include <string>
#include <vector>

namespace sluice {

/// CREATED, DEPLOYING, RUNNING, RESTARTING, STOPPING, FINISHING or FINISHED.
std::string job_state(const job_view& view);

/// Whether `job` names the job manager's job: its id (job_id_of) or its name.
bool names_job(const job_manager_setup& setup, const std::string& job);

/// The error a request about another job than the job manager's gets.
caf::error unknown_job(const job_manager_setup& setup, const std::string& job);

/// The job manager's job (one: application mode).
std::vector<job_overview> on_list_jobs(const job_view& view);

/// The job's subtasks with their task manager, slot and counters: asks every ready task
/// manager for its counters and answers once all replied or timed out (those subtasks then
/// have `reported` false).
caf::result<job_details> on_job_details(caf::event_based_actor& self, const job_view& view,
                                        const std::string& job);

std::vector<task_manager_info> on_list_task_managers(const job_view& view);

} // namespace sluice
