#include "task_manager_actor.hpp"

#include "caf_error_text.hpp"
#include "process_resources.hpp"
#include "state_handoff_transfer.hpp"
#include "subtask_actor.hpp"
#include "tcp_probe.hpp"
#include "tls_transport.hpp"

#include "sluice/actors/checkpoint_ids.hpp"
#include "sluice/actors/local_snapshot_store.hpp"
#include "sluice/actors/state_handoff.hpp"
#include "sluice/operators/core/logging.hpp"

#include <caf/io/all.hpp>

#include <algorithm>

namespace sluice {

namespace {

/// How long connecting to the peers may take before the slots are offered anyway.
constexpr auto peer_connect_timeout = std::chrono::seconds(5);
/// How long a leaving task manager waits for its stopped subtasks before it quits anyway (a
/// subtask stuck in a blocking call; the process's shutdown is bounded after that).
constexpr auto subtasks_stop_timeout = std::chrono::seconds(10);
using leave_timeout_atom = caf::atom_constant<caf::atom("tmleave")>;

/// Ends a task manager process's part of the job: the process exits with `result`. The task
/// manager stops its subtasks and quits once their down messages arrived; the job status gets
/// `result` at the end of its cleanup (complete_on_exit). Completing it earlier lets the process
/// destroy its actor system while a subtask is still announcing its exit: in CAF 0.17.6 the
/// down message a subtask sends the BASP broker (which monitors every actor a peer process
/// holds a handle of) can then arrive after the middleman stopped. A stopped broker never
/// closes its mailbox (abstract_broker::cleanup skips scheduled_actor::cleanup), so the
/// message stays in it, and with it a strong reference to its sender: the subtask, a detached
/// actor, is never destroyed, and ~actor_system waits for its thread without end
/// (await_detached_threads). docs/operations.md, "Shutdown".
void leave(tm_actor self, const task_manager_setup& setup, job_result result) {
  if (*self->state.leaving)
    return;
  if (!result.ok())
    log()->error("[{}] task manager {}: {}", setup.job_name, setup.name, result.error());
  *self->state.leaving = std::move(result);
  for (auto& [subtask, counters] : self->state.subtasks)
    self->send_exit(subtask, caf::exit_reason::user_shutdown);
  if (self->state.subtasks.empty())
    self->quit();
  else
    self->delayed_send(self, subtasks_stop_timeout, leave_timeout_atom::value);
}

/// Hands the result leave() stored to the job status when the task manager's cleanup runs its
/// attachables. Attached first, it runs last (CAF runs them newest first): after the down
/// messages of the task manager's monitors (the BASP broker's among them) went out, so they
/// reach a running middleman.
void complete_on_exit(tm_actor self, const task_manager_setup& setup) {
  self->attach_functor([leaving = self->state.leaving, status = setup.status] {
    if (*leaving)
      status->complete(std::move(**leaving));
  });
}

/// Why the job manager's connection ended: it went away, or, if it still accepts connections,
/// it dropped this task manager (its connection closes one that was silent past the heartbeat
/// timeout: a stopped, overloaded or cut-off process). Blocks at most probe_timeout.
std::string job_manager_lost(tm_actor self, const task_manager_setup& setup,
                             const caf::down_msg& msg) {
  constexpr auto probe_timeout = std::chrono::milliseconds(1000);
  const auto& jm = setup.config->cluster.job_manager;
  const auto reason = self->system().render(msg.reason);
  if (accepts_connections(jm, probe_timeout))
    return "the job manager at " + jm.to_string() + " dropped this task manager (" + reason +
           "; it still accepts connections: this process was probably silent for longer than "
           "--heartbeat-timeout-ms " +
           std::to_string(setup.config->cluster.heartbeat_timeout_ms) +
           ", stopped, overloaded or cut off)";
  return "the job manager at " + jm.to_string() + " went away (" + reason + ")";
}

/// Connects to the task managers registered before this one (one connection per pair of
/// processes, so data between them goes directly), then tells `tm`. Blocking: its own thread.
void connect_peers(caf::blocking_actor* self, std::vector<std::string> peers, caf::actor tm,
                   std::string job_name) {
  for (const auto& peer : peers) {
    auto colon = peer.rfind(':');
    const host_port where{peer.substr(0, colon),
                          static_cast<std::uint16_t>(std::stoi(peer.substr(colon + 1)))};
    if (auto node = connect_node(self->system(), where); !node)
      log()->warn("[{}] cannot connect to the task manager at {}: {}", job_name, peer,
                  connect_error_text(node.error(), where));
  }
  self->send(tm, peers_connected_atom::value);
}

/// The plan subtask `msg` runs in: the job's, or the job graph rebuilt at the parallelism of a
/// rescale (kept for the other subtasks of that rescale). Throws config_error when this
/// process's job graph gives another plan than the job manager's.
std::shared_ptr<const execution_plan> plan_of(tm_actor self, const task_manager_setup& setup,
                                              const deploy_msg& msg) {
  if (msg.parallelism.empty())
    return setup.plan;
  auto& plan = self->state.rescaled_plan;
  const std::vector<int> wanted(msg.parallelism.begin(), msg.parallelism.end());
  if (!plan || plan->node_parallelism() != wanted)
    plan = setup.plan->rebuilt(*setup.config, wanted);
  if (plan->fingerprint() != msg.fingerprint)
    throw config_error("task manager " + setup.name +
                       ": the rescaled job graph differs from the job manager's (do all "
                       "processes run the same job program with the same flags?)");
  return plan;
}

/// Offers the slots to the job manager (once).
void offer_slots(tm_actor self, const task_manager_setup& setup) {
  if (self->state.offered)
    return;
  self->state.offered = true;
  self->send(setup.job_manager, task_manager_ready_atom::value);
  log()->info("[{}] task manager {} registered {} slots", setup.job_name, setup.name,
              setup.slots);
}

void register_with_job_manager(tm_actor self, const task_manager_setup& setup) {
  const auto& jm = setup.job_manager;
  self->monitor(jm);
  register_task_manager_msg msg{setup.plan->fingerprint(), setup.slots, setup.name,
                                setup.peer_address,
                                setup.data_plane ? setup.data_plane->address() : std::string()};
  self->request(jm, std::chrono::milliseconds(setup.config->cluster.registration_timeout_ms),
                std::move(msg))
      .then(
          [=](std::vector<std::string>& peers) {
            self->spawn(connect_peers, std::move(peers), caf::actor_cast<caf::actor>(self),
                        setup.job_name);
            self->delayed_send(self, peer_connect_timeout, peers_tick_atom::value);
          },
            [=](const caf::error& e) {
              leave(self, setup,
                    job_result::failure("the job manager at " +
                                        setup.config->cluster.job_manager.to_string() +
                                        " refused this task manager: " + error_text(e)));
            });
}

/// Where this process keeps the hand-off copies of its subtasks.
std::string handoff_root(const task_manager_setup& setup) {
  return local_snapshot_store::root(setup.config->state.state_dir, copy_purpose::rescale_handoff);
}

/// The counters of the running subtasks, as read now.
std::vector<subtask_metrics> subtask_snapshots(tm_actor self) {
  std::vector<subtask_metrics> out;
  for (const auto& [subtask, counters] : self->state.subtasks)
    out.push_back(counters->snapshot());
  return out;
}

} // namespace

caf::behavior task_manager(tm_actor self, task_manager_setup setup) {
  complete_on_exit(self, setup);
  if (setup.job_manager) {
    register_with_job_manager(self, setup);
    self->set_exit_handler([=](const caf::exit_msg& msg) {
      if (msg.source == setup.job_manager.address())
        leave(self, setup, job_result{});
      else
        leave(self, setup, job_result::failure("task manager stopped"));
    });
  }
  self->set_down_handler([=](const caf::down_msg& msg) {
    if (setup.job_manager && msg.source == setup.job_manager.address()) {
      leave(self, setup, job_result::failure(job_manager_lost(self, setup, msg)));
      return;
    }
    auto& subtasks = self->state.subtasks;
    subtasks.erase(std::remove_if(subtasks.begin(), subtasks.end(),
                                  [&](const auto& s) { return s.first.address() == msg.source; }),
                   subtasks.end());
    if (*self->state.leaving && subtasks.empty())
      self->quit();
  });
  return {
      [=](const deploy_msg& msg) -> caf::result<caf::actor> {
        if (*self->state.leaving)
          return caf::make_error(caf::sec::runtime_error,
                                 "task manager " + setup.name + " is leaving the job");
        if (msg.slot < 0 || msg.slot >= setup.slots)
          return caf::make_error(caf::sec::runtime_error,
                                 "task manager " + setup.name + " has " +
                                     std::to_string(setup.slots) + " slots, not slot " +
                                     std::to_string(msg.slot));
        subtask_setup s;
        try {
          s.plan = plan_of(self, setup, msg);
        } catch (const std::exception& e) {
          return caf::make_error(caf::sec::runtime_error, e.what());
        }
        s.config = setup.config;
        s.job_name = setup.job_name;
        s.vertex = msg.vertex;
        s.subtask = msg.subtask;
        s.job_manager = caf::actor_cast<caf::actor>(self->current_sender());
        s.counters = setup.status->add_counters();
        s.restore = msg.restore;
        s.generation = msg.generation;
        s.handoff = msg.handoff;
        s.data_plane = setup.data_plane;
        auto counters = s.counters;
        auto subtask = self->spawn<subtask_actor, caf::detached>(std::move(s));
        if (setup.data_plane) // before any peer can have its handle
          setup.data_plane->add_receiver(subtask);
        self->monitor(subtask);
        self->state.subtasks.emplace_back(subtask, std::move(counters));
        return subtask;
      },
      [=](const handoff_copy_msg& msg) {
        return serve_handoff_listing(handoff_root(setup), job_id_of(setup.job_name),
                                     "task manager " + setup.name, msg);
      },
      [=](const handoff_read_msg& msg) {
        return serve_handoff_chunk(handoff_root(setup), job_id_of(setup.job_name),
                                   "task manager " + setup.name, msg);
      },
      [=](const drop_handoff_msg& msg) {
        if (msg.job_id == job_id_of(setup.job_name))
          drop_handoff_copies(handoff_root(setup), msg.job_id, msg.checkpoint_id);
      },
      [=](peers_connected_atom) { offer_slots(self, setup); },
      [=](peers_tick_atom) {
        if (self->state.offered)
          return;
        log()->warn("[{}] task manager {}: connecting to its peers takes longer than {} s; "
                    "offering its slots anyway (data to them goes through the job manager "
                    "until connected)",
                    setup.job_name, setup.name, peer_connect_timeout.count());
        offer_slots(self, setup);
      },
      [=](cancel_job_atom) { leave(self, setup, job_result::failure("task manager cancelled")); },
      [=](leave_timeout_atom) {
        log()->warn("[{}] task manager {}: {} subtasks did not stop within {} s; leaving",
                    setup.job_name, setup.name, self->state.subtasks.size(),
                    subtasks_stop_timeout.count());
        self->quit();
      },
      [=](metrics_atom) { return subtask_snapshots(self); },
      [=](report_atom) {
        auto report = process_report(*setup.config, setup.slots);
        report.subtasks = subtask_snapshots(self);
        return report;
      },
  };
}

} // namespace sluice
