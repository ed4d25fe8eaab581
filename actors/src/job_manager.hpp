#pragma once
// The job manager actor: deploys every subtask onto the task managers' slots, starts them,
// watches them, and reports the job's result. It owns its parts and is the only one that
// connects them: the task managers (task_manager_registry.hpp), the restarts
// (job_restarts.hpp), the checkpointer with its savepoints (job_checkpointer.hpp) and the
// metrics (job_reports.hpp); its queries (job_queries.hpp) read a read-only view
// (job_view.hpp). Its message-handler table (make_behavior) is the map of what it does.

#include "job_checkpointer.hpp"
#include "job_context.hpp"
#include "job_metrics.hpp"
#include "job_restarts.hpp"
#include "job_view.hpp"
#include "task_manager_registry.hpp"

#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace sluice {

class job_manager final : public caf::event_based_actor {
public:
  job_manager(caf::actor_config& cfg, job_manager_setup setup);

  caf::behavior make_behavior() override;
  /// Drops every handle of another actor, as a stateful actor's state goes with its exit: an
  /// actor nothing refers to any more terminates (the embedded task manager when the job failed
  /// before it was registered), and subtasks form cycles.
  void on_exit() override;

private:
  // -- deploying ------------------------------------------------------------------------------

  /// Deploys the job the first time once enough task managers are ready.
  void maybe_start();
  /// Redeploys once every cancelled subtask is gone, the delay passed and the slots are there.
  void maybe_redeploy();
  /// Deploys every subtask onto the ready task managers' slots (restoring the checkpoint whose
  /// `_metadata` is `restore`, if not empty) and starts them once all are deployed. The caller
  /// checked that there are enough slots. Subtasks a rescale keeps in place are not deployed.
  void deploy(const std::string& restore);
  /// The parallelism of every node for deploy_msg and rewire_msg: empty while the plan is the
  /// one the job started with.
  std::vector<std::int32_t> rescaled_parallelism() const;
  /// Whether the subtask of flat index `index` is one a rescale in place keeps.
  bool kept_in_place(std::size_t index) const;
  /// Every subtask of attempt `attempt` is deployed: starts them (after rewiring the kept ones
  /// of a rescale in place).
  void start_deployed(int attempt);
  void on_all_started(int attempt);
  void on_task_manager_ready();
  void on_slots_timeout();

  // -- the subtasks and task managers ---------------------------------------------------------

  void on_subtask_done(const subtask_done_msg& msg);
  /// A subtask reported a failure: as fail, but a failure restoring the checkpoint a restart
  /// would restore again (a corrupt state file) fails the job.
  void on_subtask_failed(const subtask_failed_msg& msg);
  /// A monitored task manager or subtask terminated.
  void on_down(const caf::down_msg& dm);
  void on_restart_due(int attempt);

  // -- clients --------------------------------------------------------------------------------

  caf::result<std::string> on_savepoint_request(const savepoint_request_msg& msg);
  /// Cancels the job named (the job ends with "job cancelled"); replies with its id first.
  caf::result<std::string> on_cancel_request(const std::string& job);

  // -- rescaling ------------------------------------------------------------------------------

  /// Checks the rescale (job_rescale.hpp) and stops the job for it at a checkpoint; replies
  /// once the subtasks run at the new parallelism, or with why not (the job goes on).
  caf::result<std::string> on_rescale_request(const rescale_request_msg& msg);
  /// Calls f on every subtask (with its vertex) of the vertices the rescale replaces.
  void send_to_replaced(
      const std::function<void(const plan_vertex&, const caf::actor&)>& f);
  /// Asks the replaced subtasks whose parallelism changes to prepare the key groups that will
  /// move (prepare_handoff_msg); stop_for_rescale once all answered, or after the checkpoint
  /// timeout.
  void prepare_rescale();
  void on_handoff_prepared(const handoff_prepared_msg& msg);
  void on_prepare_timeout(std::int64_t rescale);
  /// Stops the job for the rescale at a checkpoint of its own.
  void stop_for_rescale();
  /// The checkpoint the rescale stops at completed (`failure` empty: the subtasks close) or
  /// failed.
  void on_rescale_stopped(std::optional<std::string> failure);
  /// A subtask of a vertex the rescale changes closed; once all did, redeploy_rescaled.
  void on_rescale_closed(const subtask_done_msg& msg);
  /// Every subtask of a changed vertex closed at the rescale's checkpoint: deploys their
  /// successors of the rescaled plan from it; the others stay.
  void redeploy_rescaled();
  /// The subtasks of the vertices the rescale replaces (plan before it), with the task managers
  /// that keep their hand-off copies.
  std::vector<handoff_source> handoff_sources() const;
  /// Checkpoint `completed` completed after a rescale: its successors restored; the task
  /// managers drop the hand-off copies before it.
  void drop_handoff_copies_before(std::int64_t completed);
  /// The successors are deployed: the kept subtasks connect to them (rewire_msg); once all
  /// replied, the successors start and the kept subtasks resume.
  void rewire_kept(const start_msg& wiring);
  /// Answers the rescale's client with `failure` (or, without one, what runs now); it ends.
  void finish_rescale(std::optional<std::string> failure);

  // -- the job's end --------------------------------------------------------------------------

  /// A failure (`cause`; `task`: the failed subtask's (vertex, subtask index), for the failure
  /// history): restarts the job or, if the strategy gives up, fails it.
  void fail(const std::string& cause, std::pair<int, int> task = {-1, -1});
  /// Ends the job: stops every subtask and the task managers, stores the result and quits.
  /// The job status gets the result when the actor's cleanup has run (publish_on_exit).
  void end(job_result result);
  /// Hands the result end() stored to the job status from the job manager's first attachable,
  /// which CAF runs last: after the down messages of its monitors (a peer process's BASP
  /// broker among them) went out. Completing the status earlier lets the process stop its
  /// middleman before such a message arrived; a stopped broker keeps it in its mailbox in
  /// CAF 0.17.6, and with it the job manager and the broker alive at exit
  /// (docs/operations.md, "Shutdown of a cluster process"). An exit without end() (an exit
  /// message) completes the status with a failure naming the reason.
  void publish_on_exit();

  /// Creates the checkpointer; throws as its constructor does.
  void start_checkpointer();
  job_view view() const;

  job_manager_setup setup_;
  /// The plan the job started with (setup_.plan is a rescale's once one happened).
  std::shared_ptr<const execution_plan> initial_plan_;
  job_deployment deployment_;
  job_metrics_view metrics_;
  std::string initial_restore_; ///< `_metadata` the job started from (--restore), or ""
  task_manager_registry task_managers_;
  job_restarts restarts_;
  /// With checkpointing on, or once a savepoint or rescale was requested.
  std::optional<job_checkpointer> checkpointer_;
  /// A rescale in progress: the plan it deploys, its client, whether the job stopped for it.
  struct pending_rescale {
    std::shared_ptr<const execution_plan> plan;
    caf::response_promise promise;
    std::string changes; ///< rescale_changes()
    std::vector<bool> kept_vertices; ///< by vertex id of the plan before (kept_vertices())
    std::vector<bool> kept_subtasks; ///< by flat subtask index of the new plan (redeploy_rescaled)
    std::int64_t id = 0;     ///< rescales_ when it began
    int preparing = 0;       ///< replaced subtasks told to prepare, not answered yet
    bool stopped = false;
    std::size_t closing = 0; ///< subtasks of changed vertices told to close, not done yet
    /// The subtasks it replaces, whose hand-off copies their successors restore.
    std::vector<handoff_source> handoff{};
  };
  std::optional<pending_rescale> rescale_;
  std::int64_t rescales_ = 0; ///< rescales begun
  /// What end() decided, for publish_on_exit.
  std::shared_ptr<std::optional<job_result>> result_ = std::make_shared<std::optional<job_result>>();
};

} // namespace sluice
