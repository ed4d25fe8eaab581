#pragma once
// The actor that runs one subtask: its operator chain between an input gate and an output gate.

#include "channel_route.hpp"
#include "remote_data_plane.hpp"
#include "sluice/actors/channel_layout.hpp"
#include "sluice/actors/input_gate.hpp"
#include "sluice/actors/local_snapshot_store.hpp"
#include "sluice/actors/messages.hpp"
#include "sluice/actors/operator_chain.hpp"
#include "sluice/actors/output_gate.hpp"
#include "sluice/actors/subtask_checkpointer.hpp"
#include "sluice/actors/subtask_counters.hpp"
#include "sluice/actors/input_watermarks.hpp"
#include "sluice/actors/watermark_alignment.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace sluice {

/// Everything a subtask needs to be created.
struct subtask_setup {
  std::shared_ptr<const execution_plan> plan;
  std::shared_ptr<const job_config> config;
  std::string job_name;
  int vertex = 0;
  int subtask = 0;
  caf::actor job_manager;
  std::shared_ptr<subtask_counters> counters;
  std::string restore; ///< `_metadata` of the checkpoint to restore, or empty
  /// The processing-time clock in epoch ms; empty: the system clock (a test sets its own).
  std::function<std::int64_t()> clock;
  /// The process's data connections to other task managers (null: all data through CAF).
  std::shared_ptr<remote_data_plane> data_plane;
  /// The wiring its channels belong to (deploy_msg::generation; a rewire_msg's from then on).
  std::int32_t generation = 0;
  /// At a rescale: the subtasks it replaced, whose hand-off copies the restore reads.
  std::vector<handoff_source> handoff{};
};

class subtask_actor final : public caf::event_based_actor,
                            private gate_transport,
                            private processing_time_service,
                            private checkpoint_effects {
public:
  subtask_actor(caf::actor_config& cfg, subtask_setup setup);

  caf::behavior make_behavior() override;
  /// Drops the handles of peers (they form cycles) and the operators.
  void on_exit() override;

private:
  // gate_transport
  void send_batch(int channel, std::vector<char>&& bytes, std::uint32_t records,
                  std::int32_t backlog) override;
  void send_event(int channel, event_kind kind, std::int64_t value) override;
  // processing_time_service
  std::int64_t now_ms() const override;
  void wake_at(std::int64_t time_ms) override;

  /// Fires the processing-time timers the clock has passed (at most now_ms() - 1).
  void fire_processing_timers();

  /// An in-band event on input channel `ch` was taken from the input gate.
  void on_input_event(const input_item& item);
  void arm_watermark_timer();

  /// The channel layout of setup_.plan, and empty gates and watermarks over it.
  void build_gates();
  /// The channel index of a batch, event or credit's wire_channel if it belongs to this
  /// subtask's wiring generation.
  std::optional<int> channel_of_current(std::int32_t wire) const;
  /// As channel_of_current; throws protocol_error for another generation.
  int current_channel(std::int32_t wire, const char* what) const;
  /// The routes of every channel, to the subtasks of `msg`.
  void connect(const start_msg& msg);
  void start(const start_msg& msg);

  // -- a rescale in place (subtask_rescale.cpp) ------------------------------------------------

  /// Rebuilds the channels for the rescaled plan and connects them; emits nothing until resume.
  void rewire(const rewire_msg& msg);
  void resume();

  /// The route to `peer`, a subtask in the task manager whose data address is `address`: on
  /// the data connection to that task manager, or through CAF if it runs here, is gone, or
  /// either task manager has no data address.
  channel_route route_to(const caf::actor& peer, const std::string& address);
  void send_credit(int channel, int credits);
  /// A data connection ended: the subtask fails if one of its open channels used it and the
  /// job manager did not cancel it within the heartbeat timeout.
  void on_data_connection_lost(const data_connection_lost_msg& msg);
  /// Takes the input queued (schedule_input when the checkpointer paces it).
  void process_input();
  /// Takes the input queued; paced, one batch, then schedule_input for the rest.
  void take_input();
  /// Sends input_atom to itself unless sent already (paced input).
  void schedule_input();
  void source_step();
  /// Stores the source's backlog in its counters (pendingRecords, pendingBytes).
  void record_backlog();
  void schedule_source_step();
  void finish_input();
  void maybe_finish();
  void arm_flush_timer();
  /// Publishes the operators' metrics (records in and out, user metrics) to the counters the
  /// task manager reports, read here on the subtask's thread.
  void publish_metrics();
  /// With metrics on: publish_metrics once per --metrics-interval-ms.
  void arm_publish_timer();
  /// Runs f, then sends the credits it granted; on an exception reports the failure to the
  /// job manager and stops.
  template <class F>
  void guarded(F&& f);
  void fail(const std::string& error);
  /// Closes the operators, reports the subtask done and quits.
  void close_and_quit();

  // -- checkpoints (subtask_checkpoints.cpp) ---------------------------------------------------

  /// Creates the checkpointer (savepoints use it with checkpointing off too: aligned).
  void init_checkpointing();
  // checkpoint_effects
  void acknowledge(snapshot_ack ack) override;
  void decline(std::int64_t id, const std::string& reason) override;
  void arm_alignment_timeout(std::int64_t id, std::int64_t delay_ms) override;
  void on_trigger(const trigger_checkpoint_msg& msg);
  void on_checkpoint_ended(const checkpoint_ended_msg& msg);
  /// Snapshotted for a stop with savepoint, or rewired and not resumed yet: sources emit
  /// nothing, no watermark or timer fires.
  bool stopped() const {
    return paused_ || (checkpointer_ && checkpointer_->state() ==
                                            subtask_checkpointer::emission::stopped_for_savepoint);
  }
  /// With --local-recovery (and checkpoints): the store of this subtask's local copies.
  void init_local_recovery();
  /// Whose copies this subtask's stores keep: itself, its chain's operators.
  local_snapshot_owner snapshot_owner() const;
  /// The store of the copy a rescale's stop keeps for the successors (made on first use).
  std::shared_ptr<const local_snapshot_store> handoff_store();
  /// Starts preparing the key groups a coming rescale moves away (prepare_handoff_msg).
  void prepare_handoff(const prepare_handoff_msg& msg);
  /// Makes `restored` name the hand-off copies of setup_.handoff in place of the keyed state
  /// they copy (those on other task managers fetched first, into directories added to
  /// `fetched`).
  void take_handoff(checkpoint_metadata& restored, std::vector<std::string>& fetched);
  /// Processes the in-flight data an unaligned checkpoint stored for this subtask.
  void replay_in_flight(const checkpoint_metadata& restored);

  /// Where the subtask is in its life, in this order (a failure goes to done from any phase).
  enum class lifecycle {
    created,         ///< before start_msg: input and barriers queue
    restoring,       ///< reading the state of setup_.restore (a failure says so)
    opening,         ///< operators opening, in-flight data of the restored checkpoint replayed
    running,         ///< processing input or emitting (a source)
    input_finished,  ///< end of input processed; output may still wait for credit
    finish_reported, ///< input_finished_msg sent (checkpointing on): the job manager closes us
    done             ///< closed or failed: nothing is handled any more
  };
  bool input_finished() const { return phase_ >= lifecycle::input_finished; }
  bool done() const { return phase_ == lifecycle::done; }

  subtask_setup setup_;
  channel_layout layout_;
  subtask_counters& counters_;
  const bool metrics_on_; ///< --metrics-interval-ms > 0: busy time is measured
  std::string log_prefix_; ///< "[job] task (i/n)"
  std::optional<output_gate> output_; ///< made again by a rewire, as the two below
  std::optional<input_gate> input_;
  std::optional<input_watermarks> watermarks_; ///< over the input channels (none for sources)
  /// The input watermark the operators saw before the last rewire: a lower one is not passed on.
  std::int64_t watermark_floor_ = min_watermark;
  bool input_idle_ = false; ///< the operators were last told that the input is idle
  bool paused_ = false;     ///< rewired, waiting for resume_subtask_atom
  std::optional<watermark_alignment> alignment_; ///< --watermark-alignment-ms
  /// The time of the earliest processing-time wake-up armed (it arrives once the clock passed it).
  std::int64_t next_wakeup_ms_ = max_watermark;
  std::optional<operator_chain> chain_;
  /// The operators' metrics being read; it trades places with the published ones.
  std::vector<operator_metrics> metrics_scratch_;
  /// Barriers, snapshots and in-flight data (created at start).
  std::optional<subtask_checkpointer> checkpointer_;
  /// Local copies of the keyed state (--local-recovery), shared with the snapshot writers.
  std::shared_ptr<const local_snapshot_store> local_;
  std::shared_ptr<const local_snapshot_store> handoff_; ///< see handoff_store()
  bool input_scheduled_ = false;
  /// Per output and input channel: where its batches and events (an output) or its credits (an
  /// input) go.
  std::vector<channel_route> outputs_;
  std::vector<channel_route> inputs_;
  lifecycle phase_ = lifecycle::created;
  bool step_scheduled_ = false;
  double rate_per_subtask_ = 0;
  std::uint64_t emitted_ = 0;
  std::chrono::steady_clock::time_point started_at_{};
};

} // namespace sluice
