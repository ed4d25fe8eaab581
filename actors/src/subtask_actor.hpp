#pragma once
// The actor that runs one subtask: its operator chain between an input gate and an output gate.

#include "sluice/actors/channel_layout.hpp"
#include "sluice/actors/input_gate.hpp"
#include "sluice/actors/messages.hpp"
#include "sluice/actors/operator_chain.hpp"
#include "sluice/actors/output_gate.hpp"
#include "sluice/actors/subtask_counters.hpp"
#include "sluice/actors/input_watermarks.hpp"
#include "sluice/checkpoint/barrier_aligner.hpp"
#include "sluice/checkpoint/checkpoint_storage.hpp"

#include <chrono>
#include <filesystem>
#include <map>
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
};

class subtask_actor final : public caf::event_based_actor,
                            private gate_transport,
                            private processing_time_service {
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

  /// An in-band event on input channel `ch` was taken from the input gate.
  void on_input_event(const input_item& item);
  void arm_watermark_timer();

  void start(const start_msg& msg);
  void process_input();
  /// Sends input_atom to itself unless sent already (unaligned checkpoints).
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

  /// Creates the barrier aligner (savepoints use it with checkpointing off too: aligned) and
  /// the checkpoint storage (with --checkpoint-dir).
  void init_checkpointing();
  /// A source snapshots and emits the barrier; a subtask whose input finished only snapshots.
  /// A savepoint's trigger tells every subtask where its snapshot goes (and whether it stops
  /// the job); a source stopping with drain emits the maximum watermark before the barrier.
  void on_trigger(const trigger_checkpoint_msg& msg);
  /// Whether barrier `id` arriving on `channel` goes to the aligner at once, ahead of the input
  /// queued before it (unaligned; or switched to unaligned by the aligned timeout).
  bool takes_barrier_on_arrival(int channel, std::int64_t id) const;
  /// Barrier `id` was queued behind input (aligned with an aligned timeout): starts its
  /// alignment clock and a timer for the switch to unaligned.
  void announce_barrier(std::int64_t id);
  /// Once checkpoint `id` switched to unaligned: its barriers still queued overtake the input.
  void take_queued_barriers(std::int64_t id);
  /// Where the files of checkpoint or savepoint `id` go.
  std::filesystem::path snapshot_dir(std::int64_t id) const;
  /// After the snapshot of a stop with savepoint: no records, watermarks or timers follow.
  void stop_if_savepoint_stops(std::int64_t id);
  /// The stop with savepoint failed: the job goes on.
  void resume();
  void on_checkpoint_ended(const checkpoint_ended_msg& msg);
  /// Carries out what the barrier aligner decided, then blocks the channels it blocks.
  void apply(const barrier_actions& actions);
  /// Takes checkpoint `id` (synchronous part here, the files written by a helper actor that
  /// acknowledges to the job manager), then emits barrier `id` if `emit_barrier`.
  void take_snapshot(std::int64_t id, std::int64_t alignment_ms, std::int64_t start_delay_ms,
                     std::int64_t first_barrier_ms, bool emit_barrier);
  /// Unaligned: snapshots at the first barrier, emits it, and captures the queued batches and
  /// those arriving on a channel before its barrier; written once all barriers are in.
  void take_unaligned_snapshot(std::int64_t id, std::int64_t alignment_ms,
                               std::int64_t first_barrier_ms);
  /// Emits barrier `id`; unaligned, ahead of the output waiting for credit, which is appended
  /// to `overtaken`.
  void emit_barrier(std::int64_t id, std::string& overtaken);
  /// Runs `write` on a helper actor, adds the in-flight input and output to the head
  /// operator's state, and acknowledges (or declines) to the job manager.
  void write_snapshot(operator_chain::snapshot_writer write, checkpoint_ack_msg ack,
                      std::string in_flight, std::string in_flight_output);
  /// Processes the in-flight data an unaligned checkpoint stored for this subtask.
  void replay_in_flight(const checkpoint_metadata& restored);

  subtask_setup setup_;
  channel_layout layout_;
  subtask_counters& counters_;
  const bool metrics_on_; ///< --metrics-interval-ms > 0: busy time is measured
  std::string log_prefix_; ///< "[job] task (i/n)"
  output_gate output_;
  input_gate input_;
  std::optional<input_watermarks> watermarks_; ///< over the input channels (none for sources)
  std::int64_t next_wakeup_ms_ = max_watermark; ///< the earliest processing-time wake-up armed
  std::optional<operator_chain> chain_;
  /// The operators' metrics being read; it trades places with the published ones.
  std::vector<operator_metrics> metrics_scratch_;
  std::optional<barrier_aligner> aligner_; ///< over the input channels, with checkpointing
  std::optional<checkpoint_storage> storage_; ///< where checkpoints go, with --checkpoint-dir
  /// The savepoints in progress (by id): their directories, and whether they stop the job.
  struct savepoint_target {
    std::filesystem::path dir;
    bool stop = false;
  };
  std::map<std::int64_t, savepoint_target> savepoints_;
  /// Snapshotted for a stop with savepoint: sources emit nothing, no watermark or timer fires.
  bool stopped_ = false;
  /// Barriers overtake the output (unaligned checkpoints; savepoints of a job with
  /// checkpointing off are aligned).
  bool unaligned_barriers_ = false;
  std::int64_t last_snapshot_id_ = 0;
  /// The unaligned checkpoint whose in-flight data is being captured.
  struct in_flight_capture {
    std::int64_t id = 0;
    operator_chain::snapshot_writer write;
    checkpoint_ack_msg ack;
    std::string data;
    std::string output;
  };
  std::optional<in_flight_capture> capture_;
  /// Unaligned checkpoints: input is processed one batch per message so that barriers do not
  /// wait behind the queued input; without an aligned timeout, barriers are taken on arrival.
  bool unaligned_ = false;
  bool barriers_on_arrival_ = false;
  std::int64_t alignment_timer_id_ = 0; ///< the checkpoint whose aligned timeout is armed
  bool input_scheduled_ = false;
  bool input_step_ = false; ///< handling input_atom
  std::vector<caf::actor> outputs_;
  std::vector<caf::actor> inputs_;
  bool started_ = false;
  bool restoring_ = false; ///< reading the state of setup_.restore (a failure says so)
  bool input_finished_ = false;
  bool done_ = false;
  bool finished_reported_ = false; ///< input_finished_msg sent (checkpointing on)
  bool step_scheduled_ = false;
  double rate_per_subtask_ = 0;
  std::uint64_t emitted_ = 0;
  std::chrono::steady_clock::time_point started_at_{};
};

} // namespace sluice
