#pragma once
// The job manager's failover: on a subtask failure the restart strategy decides; if it allows
// a restart, every subtask is cancelled, and once all are gone and the delay passed, the job is
// redeployed from the latest completed checkpoint (or from scratch without one).

#include "job_context.hpp"

#include "sluice/checkpoint/restart_strategy.hpp"

#include <memory>
#include <string>
#include <vector>

namespace sluice {

/// Resolves --restore (logging its warnings) and checks that the state of every operator uid of
/// the checkpoint has an operator to go to (unless --allow-non-restored-state); returns its
/// `_metadata` file, or "" without --restore. Throws checkpoint_error saying what is wrong.
std::string resolve_initial_restore(const job_manager_setup& setup);

class job_restarts {
public:
  job_restarts(caf::event_based_actor& self, const job_manager_setup& setup,
               job_deployment& deployment);

  /// The job failed (`cause`): if the strategy allows a restart, cancels every running
  /// subtask, clears the deployment and arms the restart delay; false if it gives up.
  bool restart(const std::string& cause);
  /// If `dm` is about a subtask cancelled by a restart: forgets it and returns true.
  bool on_cancelled_down(const caf::down_msg& dm);
  /// The restart delay of `attempt` passed; false if that restart is no longer the current one.
  bool on_restart_due(int attempt);
  /// Every cancelled subtask is gone and the delay passed: the job can be redeployed.
  bool due() const;
  /// The redeployment begins.
  void redeploying();
  /// The job manager exits: forgets the cancelled subtasks.
  void release() { stopping_.clear(); }

private:
  caf::event_based_actor& self_;
  const job_manager_setup& setup_;
  job_deployment& deployment_;
  std::shared_ptr<restart_strategy> strategy_;
  std::vector<caf::actor> stopping_; ///< cancelled subtasks of a failed attempt, until down
  bool restart_due_ = false;         ///< the restart delay passed
};

} // namespace sluice
