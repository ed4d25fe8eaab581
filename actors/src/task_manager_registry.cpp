#include "task_manager_registry.hpp"

#include "sluice/operators/core/logging.hpp"

#include <algorithm>

namespace sluice {

task_manager_registry::task_manager_registry(caf::event_based_actor& self,
                                             const job_manager_setup& setup,
                                             const job_deployment& deployment)
    : self_(self), setup_(setup), deployment_(deployment),
      fingerprint_(setup.plan->fingerprint()) {}

void task_manager_registry::arm_slots_timer() {
  auto delay = std::max<std::int64_t>(slots_deadline_ms_ - steady_now_ms(), 0);
  self_.delayed_send(&self_, std::chrono::milliseconds(delay), slots_timeout_atom::value);
}

int task_manager_registry::ready_slots() const {
  int n = 0;
  for (const auto& tm : entries_)
    n += tm.ready ? tm.slots : 0;
  return n;
}

int task_manager_registry::ready_count() const {
  return static_cast<int>(std::count_if(entries_.begin(), entries_.end(),
                                        [](const task_manager_entry& tm) { return tm.ready; }));
}

std::string task_manager_registry::slots_wanted() const {
  return std::to_string(setup_.plan->required_slots()) + " slots";
}

void task_manager_registry::add_local(task_manager_entry tm) {
  entries_.push_back(std::move(tm));
}

caf::result<std::vector<std::string>> task_manager_registry::on_register(
    const register_task_manager_msg& msg) {
  const auto mine = fingerprint_;
  if (msg.fingerprint != mine) {
    auto why = "task manager " + msg.name + " runs a different job graph (fingerprint " +
               std::to_string(msg.fingerprint) + ", the job manager's is " +
               std::to_string(mine) +
               "): start every process with the same job binary and the same arguments";
    log()->error("[{}] refused {}", setup_.job_name, why);
    return caf::make_error(caf::sec::runtime_error, why);
  }
  if (deployment_.ended)
    return caf::make_error(caf::sec::runtime_error, "the job has ended");
  std::vector<std::string> peers;
  for (const auto& tm : entries_)
    peers.push_back(tm.peer_address);
  auto tm = caf::actor_cast<caf::actor>(self_.current_sender());
  self_.monitor(tm);
  entries_.push_back(task_manager_entry{tm, msg.name, msg.peer_address, msg.slots, false,
                                            msg.data_address});
  return peers;
}

void task_manager_registry::on_ready() {
  auto sender = self_.current_sender();
  for (auto& tm : entries_) {
    if (tm.actor.address() != sender)
      continue;
    tm.ready = true;
    log()->info("[{}] task manager {} offers {} slots ({} of {} task managers, {} of {})",
                setup_.job_name, tm.name, tm.slots, ready_count(),
                std::max(1, setup_.config->cluster.task_managers), ready_slots(),
                slots_wanted());
  }
}

std::optional<task_manager_loss> task_manager_registry::on_down(const caf::down_msg& dm) {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const task_manager_entry& tm) {
    return tm.actor.address() == dm.source;
  });
  if (it == entries_.end())
    return std::nullopt;
  task_manager_loss loss{it->name,
                         "task manager " + it->name + " lost (" +
                             self_.system().render(dm.reason) + ")",
                         false};
  const auto& locations = deployment_.locations;
  const bool ran_subtasks =
      std::any_of(locations.begin(), locations.end(),
                  [&](const subtask_location& l) { return l.task_manager == it->name; });
  entries_.erase(it);
  if (deployment_.ended)
    return loss;
  if (deployment_.deployed_once && !ran_subtasks) { // a spare: the job is unaffected
    log()->warn("[{}] {}; no subtask of the job ran there: deregistered, the job goes on",
                setup_.job_name, loss.cause);
    return loss;
  }
  log()->warn("[{}] {}", setup_.job_name, loss.cause);
  loss.fails_job = deployment_.deployed_once;
  return loss;
}

bool task_manager_registry::enough_slots() {
  const int wanted_tms = std::max(1, setup_.config->cluster.task_managers);
  const bool enough = ready_slots() >= setup_.plan->required_slots() &&
                      (deployment_.deployed_once || ready_count() >= wanted_tms);
  if (enough) {
    slots_deadline_ms_ = 0;
    return true;
  }
  if (slots_deadline_ms_ == 0) {
    slots_deadline_ms_ = steady_now_ms() + setup_.config->cluster.registration_timeout_ms;
    log()->info("[{}] waiting for task managers: {} needed, {} ready with {} slots",
                setup_.job_name,
                deployment_.deployed_once ? slots_wanted()
                                          : std::to_string(wanted_tms) + " task managers",
                ready_count(), ready_slots());
    arm_slots_timer();
  }
  return false;
}

std::optional<std::string> task_manager_registry::on_slots_timeout() {
  if (deployment_.ended || slots_deadline_ms_ == 0)
    return std::nullopt;
  if (steady_now_ms() < slots_deadline_ms_) { // the timer of an earlier wait
    arm_slots_timer();
    return std::nullopt;
  }
  const int registered = static_cast<int>(entries_.size());
  return "waited " + std::to_string(setup_.config->cluster.registration_timeout_ms) +
         " ms (--registration-timeout-ms) for task managers: the job needs " + slots_wanted() +
         (deployment_.deployed_once
              ? std::string()
              : " on " + std::to_string(std::max(1, setup_.config->cluster.task_managers)) +
                    " task managers (--taskmanagers)") +
         ", " + std::to_string(ready_count()) + " task managers with " +
         std::to_string(ready_slots()) + " slots registered" +
         (registered > ready_count() ? " (and " + std::to_string(registered - ready_count()) +
                                           " still connecting to their peers)"
                                     : std::string());
}

std::vector<const task_manager_entry*> task_manager_registry::ready() const {
  std::vector<const task_manager_entry*> out;
  for (const auto& tm : entries_)
    if (tm.ready)
      out.push_back(&tm);
  return out;
}

void task_manager_registry::stop_all() {
  for (const auto& tm : entries_)
    self_.send_exit(tm.actor, caf::exit_reason::user_shutdown);
  entries_.clear();
}

} // namespace sluice
