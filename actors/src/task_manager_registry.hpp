#pragma once
// The job manager's task managers: registration (graph fingerprint checked), readiness, loss,
// and waiting (bounded by --registration-timeout-ms) for enough slots to deploy.

#include "job_context.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice {

/// A registered task manager that terminated.
struct task_manager_loss {
  std::string name;
  std::string cause;
  /// The job fails over: it was deployed and subtasks of its latest deployment ran there (a
  /// spare's loss, or a loss before the first deployment, leaves the job unaffected).
  bool fails_job = false;
};

class task_manager_registry {
public:
  task_manager_registry(caf::event_based_actor& self, const job_manager_setup& setup,
                        const job_deployment& deployment);

  /// The embedded cluster's task manager, ready from the start.
  void add_local(task_manager_entry tm);
  /// A task manager process offers its slots; refused if its job graph differs. Replies with
  /// the peer addresses of the task managers registered before it.
  caf::result<std::vector<std::string>> on_register(const register_task_manager_msg& msg);
  /// The sender (a registered task manager) is connected to its peers: its slots count now.
  void on_ready();
  /// If `dm` is about a task manager: forgets it and says what its loss means.
  std::optional<task_manager_loss> on_down(const caf::down_msg& dm);

  /// Whether the ready task managers hold the slots the job needs; if not, starts waiting for
  /// more (the wait ends the job after --registration-timeout-ms).
  bool enough_slots();
  /// The wait timer fired: why the job fails if the slots did not come in time.
  std::optional<std::string> on_slots_timeout();

  /// The slots of the ready task managers.
  int ready_slots() const;
  /// The ready task managers, in the order they registered.
  std::vector<const task_manager_entry*> ready() const;
  const std::vector<task_manager_entry>& entries() const { return entries_; }
  /// The job ended: stops every task manager and forgets them.
  void stop_all();
  /// The job manager exits: forgets every task manager without stopping it.
  void release() { entries_.clear(); }

private:
  /// Arms the wait timer for the deadline.
  void arm_slots_timer();
  int ready_count() const;
  std::string slots_wanted() const;

  caf::event_based_actor& self_;
  const job_manager_setup& setup_;
  const job_deployment& deployment_;
  /// The plan the job program builds (not a rescale's): what every task manager builds too.
  const std::uint64_t fingerprint_;
  std::vector<task_manager_entry> entries_;
  /// Until when to wait for enough slots (steady clock ms); 0: not waiting.
  std::int64_t slots_deadline_ms_ = 0;
};

} // namespace sluice
