#pragma once
// A job's subtask actors on CAF's test_coordinator: they run on the test's thread, one message
// at a time, in the order the test picks, and the test sees every message a subtask takes (its
// sender, its kind, its channel and value) just before the subtask handles it. The test plays
// the job manager: what the subtasks send it is collected by a scoped actor. One subtask per
// vertex (parallelism 1), so a subtask's index is its vertex's. The test may set the subtasks'
// processing-time clock and deliver their delayed messages (wake-ups, timers) when it likes.

#include "../../actors/src/subtask_actor.hpp"

#include <caf/scheduler/test_coordinator.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace sluice::test {

/// One message a subtask took, as seen just before it handled it.
struct delivery {
  enum class kind { batch, event, credit, wakeup, control };
  int from = -1; ///< the sending subtask; -1: the job manager, or the subtask itself
  int to = 0;
  kind what = kind::control;
  int channel = 0; ///< the receiver's input channel (batch, event) or output channel (credit)
  event_kind event = event_kind::end_of_input; ///< of an event
  /// A batch's records, an event's value, a credit's credits, a wake-up's time.
  std::int64_t value = 0;
};

/// What the subtasks sent the job manager.
struct job_manager_inbox {
  std::vector<input_finished_msg> input_finished;
  std::vector<subtask_done_msg> done;
  std::vector<subtask_failed_msg> failed;
  std::vector<checkpoint_ack_msg> acks;
  std::vector<checkpoint_decline_msg> declines;
};

class stepped_job {
public:
  /// Spawns a subtask actor per vertex of `plan` (each of parallelism 1), not started; `clock`
  /// is their processing-time clock (empty: the system clock).
  stepped_job(std::shared_ptr<const execution_plan> plan, const job_config& config,
              const std::string& name, std::function<std::int64_t()> clock = {});
  /// Kills the subtasks still running (a test that failed half-way) and runs their exits.
  ~stepped_job();
  stepped_job(const stepped_job&) = delete;
  stepped_job& operator=(const stepped_job&) = delete;

  /// Sends `msg` from the job manager to subtask `to`.
  template <class T> void send(int to, T msg) {
    (*job_manager_)->send(subtasks_.at(static_cast<std::size_t>(to)), std::move(msg));
  }
  /// Sends start_msg to every subtask, in vertex order.
  void start();

  /// Runs the next message of subtask `i` (its first run may take none: it initializes);
  /// false if it has nothing to run.
  bool step(int i);
  /// Runs one message at a time, of the first subtask in the job queue that is not `held`,
  /// until none is left or `until()` holds after a step; returns the messages run.
  std::size_t run(const std::set<int>& held = {}, const std::function<bool()>& until = {});
  /// Whether subtask `i` has a message to run (it is in the coordinator's job queue).
  bool has_messages(int i) const;
  /// The batches `from` sent to `to` that wait in `to`'s mailbox.
  int queued_batches(int from, int to);
  /// Puts every delayed message in its receiver's mailbox now, whatever its delay; returns how
  /// many.
  std::size_t trigger_timeouts() { return sched_.trigger_timeouts(); }

  /// Every message the subtasks took, in order.
  const std::vector<delivery>& deliveries() const { return deliveries_; }
  /// Called after every message run.
  std::function<void()> after_step;

  /// What the subtasks sent the job manager so far.
  const job_manager_inbox& inbox();
  /// Waits until the snapshot writers (detached helper actors) have all ended: every
  /// acknowledgement is in the job manager's inbox then.
  void await_snapshot_writers();

  int subtasks() const { return static_cast<int>(subtasks_.size()); }
  /// Subtask `i`'s counters (a source counts the records it emitted as records_in).
  const subtask_counters& counters(int i) const {
    return *counters_.at(static_cast<std::size_t>(i));
  }

private:
  void record(int to, const caf::mailbox_element& x);
  int index_of(const caf::strong_actor_ptr& sender) const;
  caf::scheduled_actor& actor(int i) const;

  caf::actor_system_config cfg_;
  caf::actor_system sys_;
  caf::scheduler::test_coordinator& sched_;
  std::unique_ptr<caf::scoped_actor> job_manager_;
  std::vector<caf::actor> subtasks_;
  std::vector<std::shared_ptr<subtask_counters>> counters_;
  std::vector<delivery> deliveries_;
  job_manager_inbox inbox_;
};

} // namespace sluice::test
