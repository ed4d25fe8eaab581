#include "job_task_managers.hpp"

#include "job_restarts.hpp"

#include "sluice/operators/logging.hpp"

#include <algorithm>

namespace sluice {

namespace {

/// Arms the wait timer for the deadline.
void arm_slots_timer(jm_actor self) {
  auto delay = std::max<std::int64_t>(self->state.slots_deadline_ms - steady_now_ms(), 0);
  self->delayed_send(self, std::chrono::milliseconds(delay), slots_timeout_atom::value);
}

int ready_slots(const job_manager_state& s) {
  int n = 0;
  for (const auto& tm : s.task_managers)
    n += tm.ready ? tm.slots : 0;
  return n;
}

int ready_count(const job_manager_state& s) {
  return static_cast<int>(std::count_if(s.task_managers.begin(), s.task_managers.end(),
                                        [](const task_manager_entry& tm) { return tm.ready; }));
}

std::string slots_wanted(const job_manager_setup& setup) {
  return std::to_string(setup.plan->required_slots()) + " slots";
}

} // namespace

caf::result<std::vector<std::string>> on_register_task_manager(
    jm_actor self, const job_manager_setup& setup, const register_task_manager_msg& msg) {
  auto& s = self->state;
  const auto mine = setup.plan->fingerprint();
  if (msg.fingerprint != mine) {
    auto why = "task manager " + msg.name + " runs a different job graph (fingerprint " +
               std::to_string(msg.fingerprint) + ", the job manager's is " +
               std::to_string(mine) +
               "): start every process with the same job binary and the same arguments";
    log()->error("[{}] refused {}", setup.job_name, why);
    return caf::make_error(caf::sec::runtime_error, why);
  }
  if (s.ended)
    return caf::make_error(caf::sec::runtime_error, "the job has ended");
  std::vector<std::string> peers;
  for (const auto& tm : s.task_managers)
    peers.push_back(tm.peer_address);
  auto tm = caf::actor_cast<caf::actor>(self->current_sender());
  self->monitor(tm);
  s.task_managers.push_back(task_manager_entry{tm, msg.name, msg.peer_address, msg.slots, false});
  return peers;
}

void on_task_manager_ready(jm_actor self, const job_manager_setup& setup) {
  auto& s = self->state;
  auto sender = self->current_sender();
  for (auto& tm : s.task_managers) {
    if (tm.actor.address() != sender)
      continue;
    tm.ready = true;
    log()->info("[{}] task manager {} offers {} slots ({} of {} task managers, {} of {})",
                setup.job_name, tm.name, tm.slots, ready_count(s),
                std::max(1, setup.config->cluster.task_managers), ready_slots(s),
                slots_wanted(setup));
  }
  if (!s.deployed_once)
    maybe_start(self, setup);
  else
    maybe_redeploy(self, setup);
}

bool on_task_manager_down(jm_actor self, const job_manager_setup& setup,
                          const caf::down_msg& dm) {
  auto& s = self->state;
  auto it = std::find_if(s.task_managers.begin(), s.task_managers.end(),
                         [&](const task_manager_entry& tm) { return tm.actor.address() == dm.source; });
  if (it == s.task_managers.end())
    return false;
  auto cause = "task manager " + it->name + " lost (" + self->system().render(dm.reason) + ")";
  s.metrics.lost_task_managers.insert(it->name);
  s.task_managers.erase(it);
  if (s.ended)
    return true;
  log()->warn("[{}] {}", setup.job_name, cause);
  if (s.deployed_once)
    on_job_failure(self, setup, cause);
  return true;
}

bool enough_slots(jm_actor self, const job_manager_setup& setup) {
  auto& s = self->state;
  const int wanted_tms = std::max(1, setup.config->cluster.task_managers);
  const bool enough = ready_slots(s) >= setup.plan->required_slots() &&
                      (s.deployed_once || ready_count(s) >= wanted_tms);
  if (enough) {
    s.slots_deadline_ms = 0;
    return true;
  }
  if (s.slots_deadline_ms == 0) {
    s.slots_deadline_ms = steady_now_ms() + setup.config->cluster.registration_timeout_ms;
    log()->info("[{}] waiting for task managers: {} needed, {} ready with {} slots",
                setup.job_name, s.deployed_once ? slots_wanted(setup)
                                               : std::to_string(wanted_tms) + " task managers",
                ready_count(s), ready_slots(s));
    arm_slots_timer(self);
  }
  return false;
}

void maybe_start(jm_actor self, const job_manager_setup& setup) {
  auto& s = self->state;
  if (s.ended || s.deployed_once || !enough_slots(self, setup))
    return;
  s.deployed_once = true;
  s.started_at = std::chrono::steady_clock::now(); // the job's duration: not the wait for slots
  log()->info("[{}] deploying {} subtasks\n{}", setup.job_name, s.subtasks.size(),
              setup.plan->describe());
  deploy_subtasks(self, setup, s.initial_restore);
}

void on_slots_timeout(jm_actor self, const job_manager_setup& setup) {
  auto& s = self->state;
  if (s.ended || s.slots_deadline_ms == 0)
    return;
  if (steady_now_ms() < s.slots_deadline_ms) { // the timer of an earlier wait
    arm_slots_timer(self);
    return;
  }
  end_job(self, setup,
          job_result::failure(
              "waited " + std::to_string(setup.config->cluster.registration_timeout_ms) +
              " ms (--registration-timeout-ms) for task managers: the job needs " +
              slots_wanted(setup) +
              (s.deployed_once ? std::string()
                               : " on " + std::to_string(std::max(
                                              1, setup.config->cluster.task_managers)) +
                                     " task managers (--taskmanagers)") +
              ", " + std::to_string(ready_count(s)) + " task managers with " +
              std::to_string(ready_slots(s)) + " slots registered" +
              (static_cast<int>(s.task_managers.size()) > ready_count(s)
                   ? " (and " +
                         std::to_string(static_cast<int>(s.task_managers.size()) -
                                        ready_count(s)) +
                         " still connecting to their peers)"
                   : std::string())));
}

} // namespace sluice
