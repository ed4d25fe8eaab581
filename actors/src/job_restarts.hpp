#pragma once
// The job manager's failover: on a subtask failure the restart strategy decides; if it allows
// a restart, every subtask is cancelled, and once all are gone and the delay passed, the job is
// redeployed from the latest completed checkpoint (or from scratch without one).

#include "cluster_actors.hpp"

namespace sluice {

/// Resolves --restore (logging its warnings) and checks that the state of every operator uid of
/// the checkpoint has an operator to go to (unless --allow-non-restored-state); returns its
/// `_metadata` file, or "" without --restore. Throws checkpoint_error saying what is wrong.
std::string resolve_initial_restore(const job_manager_setup& setup);

/// A subtask failed (`cause`): restarts the job or, if the strategy gives up, fails it.
/// `task`: the failed subtask's (vertex, subtask index), for the failure history.
void on_job_failure(jm_actor self, const job_manager_setup& setup, const std::string& cause,
                    std::pair<int, int> task = {-1, -1});
/// A subtask reported a failure: as on_job_failure, but a failure restoring the checkpoint a
/// restart would restore again (a corrupt state file) fails the job.
void on_subtask_failed(jm_actor self, const job_manager_setup& setup, const subtask_failed_msg& msg);
/// A monitored subtask terminated.
void on_subtask_down(jm_actor self, const job_manager_setup& setup, const caf::down_msg& dm);
/// Redeploys once every cancelled subtask is gone, the delay passed and the slots are there.
void maybe_redeploy(jm_actor self, const job_manager_setup& setup);
/// The restart delay of `attempt` passed.
void on_restart_due(jm_actor self, const job_manager_setup& setup, int attempt);

} // namespace sluice
