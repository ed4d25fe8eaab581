#pragma once
// The operators of one subtask (a vertex of the plan), instantiated and wired: chained edges
// are function calls, network edges are record writers on the output gate. Each operator gets
// an operator state backend, and a keyed state backend for the subtask's key groups if it runs
// on a keyed stream; the backends outlive the operators. With a checkpoint to restore, the
// backends are restored (by operator uid) before any operator opens.

#include "sluice/actors/channel_layout.hpp"
#include "sluice/actors/output_gate.hpp"
#include "sluice/checkpoint/checkpoint_metadata.hpp"
#include "sluice/operators/api/job_config.hpp"
#include "sluice/operators/core/operator_failure.hpp"
#include "sluice/operators/plan/execution_plan.hpp"
#include "sluice/operators/plan/stream_type.hpp"
#include "sluice/operators/sources/source.hpp"
#include "sluice/state/keyed_state_backend.hpp"
#include "sluice/state/local_state_copy.hpp"
#include "sluice/state/operator_state_backend.hpp"

#include <array>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sluice {

class operator_chain {
public:
  /// The asynchronous part of a checkpoint: writes the files, returns the state of every
  /// operator subtask of the chain by operator uid. May run on another thread.
  using snapshot_writer = std::function<std::map<std::string, subtask_state>()>;

  /// `restored`: the checkpoint to restore the state from, or null to start empty; `local`:
  /// local copies of this subtask's keyed state in it, by operator uid, restored instead
  /// (local_snapshot_store), or null.
  operator_chain(const execution_plan& plan, int vertex, int subtask, const std::string& job_name,
                 output_gate& gate, const channel_layout& layout,
                 processing_time_service& processing_time, const job_config& config,
                 const checkpoint_metadata* restored,
                 const std::map<std::string, local_keyed_copy>* local = nullptr);

  /// A rescale in place: the network outputs are those of `layout` in `plan` (the job's
  /// rescaled plan, in which this chain's vertex is unchanged) on `gate`. The operators and
  /// their state stay as they are. `plan` must outlive the chain or the next rewire.
  void rewire(const execution_plan& plan, output_gate& gate, const channel_layout& layout);
  /// Opens every operator, from the end of the chain to its head.
  void open();
  /// Deserializes a batch into the head; returns the number of records. A timestamped batch
  /// has each record's timestamp before it.
  std::size_t process_batch(const char* data, std::size_t size, bool timestamped, int input);
  /// The input's watermark advanced (or its status changed): the head processes it, and what
  /// each operator forwards flows down the chain.
  void process_watermark(std::int64_t wm);
  void process_watermark_status(bool idle);
  /// Every operator sees the processing time / the periodic watermark interval.
  void on_processing_time(std::int64_t now_ms);
  void on_periodic_watermark();
  /// The head, if the chain starts with a source.
  source_operator_base* source() { return source_; }
  /// End of input: end_input on every operator in topological order.
  void end_input();
  void close();
  /// The name of the head operator (for errors outside any operator).
  const std::string& head_name() const;
  /// The uid of the head operator in checkpoints.
  const std::string& head_uid() const { return uids_.front(); }
  /// Every operator's metrics as read now, head first: records in and out (reported with
  /// metrics on; the head's records in are `head_records_in`, the subtask's), late records
  /// dropped and user metrics, into `out` (its storage reused: publishing them every interval
  /// allocates nothing but what user metrics need). On the subtask's thread.
  void metrics(std::uint64_t head_records_in, std::vector<operator_metrics>& out) const;

  // -- checkpoints (operator_chain_checkpoints.cpp) --------------------------------------------

  /// The synchronous part of checkpoint `checkpoint_id`: snapshot_state on every operator, then
  /// the synchronous snapshot of each backend, for files under `dir` (one folder per operator);
  /// keyed backends snapshot incrementally into `shared_dir` unless it is empty.
  snapshot_writer snapshot(std::int64_t checkpoint_id, const std::filesystem::path& dir,
                           const std::filesystem::path& shared_dir);
  void notify_checkpoint_complete(std::int64_t checkpoint_id);
  /// A rescale to `new_parallelism` is coming: every keyed backend starts preparing the key
  /// groups it will give away (keyed_state_backend::prepare_handoff). Ready once all are.
  std::vector<std::shared_future<void>> prepare_handoff(int new_parallelism);
  /// After the rescale's snapshot: by operator uid, the directories holding what the keyed
  /// backends prepared. One whose preparation cannot be completed is left out, and why is
  /// added to `problems`.
  std::map<std::string, std::string> finish_handoff(std::vector<std::string>& problems);
  /// The rescale did not happen.
  void cancel_handoff();
  /// Old subtasks' key groups the keyed backends' restore took from what those prepared.
  int restored_from_moves() const;
  void notify_checkpoint_aborted(std::int64_t checkpoint_id);

private:
  /// Wires every output of every operator: the main output and each side output some edge
  /// consumes.
  void wire_outputs(output_gate& gate, const channel_layout& layout);
  /// Every consumer of output `tag` of the chain's operator i, as one collector.
  output_base& wire_output(std::size_t i, const std::string& tag, const stream_type& type,
                           output_gate& gate, const channel_layout& layout);
  /// Gives operator i its state backends (a keyed one if it is keyed), before open(), restored
  /// from `restored` if set.
  void create_state_backends(std::size_t i, const state_backend_config& config,
                             const checkpoint_metadata* restored,
                             const std::map<std::string, local_keyed_copy>* local);
  /// Restores operator i's backends from its state in `restored`, if there is any (its keyed
  /// state from its copy in `local` if there is one).
  void restore_state(std::size_t i, const checkpoint_metadata& restored,
                     const std::map<std::string, local_keyed_copy>* local);
  /// Runs f on every operator, naming it in any exception.
  template <class F>
  void for_each_operator(F&& f) {
    for (std::size_t i = 0; i < ops_.size(); ++i)
      run_naming(contexts_[i].operator_name, [&] { f(*ops_[i]); });
  }

  const execution_plan* plan_;
  const plan_vertex* vertex_;
  int subtask_;
  std::vector<std::string> uids_; ///< by operator, see operator_uid
  // Declared before ops_ so that they are destroyed after the operators that use them.
  std::vector<std::unique_ptr<keyed_state_backend>> keyed_states_;
  std::vector<std::unique_ptr<operator_state_backend>> operator_states_;
  std::vector<std::unique_ptr<stream_operator>> ops_;
  std::vector<std::unique_ptr<output_base>> outputs_;
  std::vector<runtime_context> contexts_;
  timestamp_slot element_time_;
  split_slot split_;
  output_base* head_input_ = nullptr;
  /// The head's batch readers, by input (made at the first batch).
  std::array<std::unique_ptr<batch_reader>, 2> readers_;
  source_operator_base* source_ = nullptr;
  /// Output `tag` of operator `op`: what takes its records counts them (records_taken).
  struct wired_output {
    std::size_t op = 0;
    std::string tag;
    const output_base* out = nullptr;
    std::uint64_t taken_before = 0; ///< what the outputs it replaced took (rewire)
  };
  std::vector<wired_output> wired_outputs_;
  bool report_records_ = false; ///< --metrics-interval-ms > 0
};

} // namespace sluice
