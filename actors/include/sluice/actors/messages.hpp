#pragma once
// Every runtime message of Sluice, with its inspect overload, in one place.
// Register them with register_messages() in every actor_system_config (same names on every node).
//
// In-band (same ordered channel as the data): batch_msg, event_msg.
// Out-of-band: credit_msg, the deployment/lifecycle messages and the checkpoint messages.

#include "sluice/operators/job_result.hpp"

#include <caf/all.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sluice {

// -- data plane ---------------------------------------------------------------------------------

/// Serialized records on one channel; `channel` is the receiver's input channel index.
struct batch_msg {
  std::int32_t channel = 0;
  std::int32_t backlog = 0; ///< batches still waiting at the sender on this channel
  std::uint32_t records = 0;
  std::vector<char> bytes;
};

/// The bytes of a batch as CAF (de)serializes them between processes: the wire format of a
/// std::vector<char> (a size, then the bytes), loaded with one copy out of the received buffer
/// where CAF's own loading zero-fills the vector first and then copies.
struct batch_payload {
  std::vector<char>& bytes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, batch_payload& x) {
  return f(x.bytes);
}

/// Loading (a non-template overload: preferred to the template above for CAF's deserializer).
caf::error inspect(caf::deserializer& f, batch_payload& x);

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, batch_msg& x) {
  batch_payload payload{x.bytes};
  return f(caf::meta::type_name("sluice::batch_msg"), x.channel, x.backlog, x.records, payload);
}

/// An in-band event (event_kind) on one channel, in order with its batches.
struct event_msg {
  std::int32_t channel = 0;
  std::uint8_t kind = 0;
  std::int64_t value = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_msg& x) {
  return f(caf::meta::type_name("sluice::event_msg"), x.channel, x.kind, x.value);
}

/// Credits for the sender's output channel `channel`.
struct credit_msg {
  std::int32_t channel = 0;
  std::int32_t credits = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, credit_msg& x) {
  return f(caf::meta::type_name("sluice::credit_msg"), x.channel, x.credits);
}

// -- deployment and lifecycle -------------------------------------------------------------------

/// Deploy subtask `subtask` of vertex `vertex` (job manager -> task manager; reply: caf::actor).
/// `restore` is the `_metadata` file of the checkpoint to restore the state from, or empty.
/// It runs in slot `slot` of that task manager.
struct deploy_msg {
  std::int32_t vertex = 0;
  std::int32_t subtask = 0;
  std::int32_t slot = 0;
  std::string restore;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, deploy_msg& x) {
  return f(caf::meta::type_name("sluice::deploy_msg"), x.vertex, x.subtask, x.slot, x.restore);
}

/// Start running; `subtasks` holds every subtask of the job, by vertex, then subtask index.
struct start_msg {
  std::vector<caf::actor> subtasks;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, start_msg& x) {
  return f(caf::meta::type_name("sluice::start_msg"), x.subtasks);
}

/// A subtask finished all its input and sent all its output.
struct subtask_done_msg {
  std::int32_t vertex = 0;
  std::int32_t subtask = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subtask_done_msg& x) {
  return f(caf::meta::type_name("sluice::subtask_done_msg"), x.vertex, x.subtask);
}

/// With checkpointing on: a subtask finished all its input and sent all its output; it waits
/// for the final checkpoint and close_subtask_atom.
struct input_finished_msg {
  std::int32_t vertex = 0;
  std::int32_t subtask = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, input_finished_msg& x) {
  return f(caf::meta::type_name("sluice::input_finished_msg"), x.vertex, x.subtask);
}

/// A subtask failed; `error` names the operator and the cause.
struct subtask_failed_msg {
  std::int32_t vertex = 0;
  std::int32_t subtask = 0;
  std::string error;
  /// The `_metadata` whose state the subtask failed to restore; empty if it failed otherwise.
  std::string restoring;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subtask_failed_msg& x) {
  return f(caf::meta::type_name("sluice::subtask_failed_msg"), x.vertex, x.subtask, x.error,
           x.restoring);
}

// -- cluster ------------------------------------------------------------------------------------

/// A task manager process offers its slots (task manager actor -> job manager). Reply: the
/// peer addresses (HOST:PORT) of the task managers registered before it, which it connects to
/// before it reports task_manager_ready_atom; or an error saying why it is refused.
struct register_task_manager_msg {
  std::uint64_t fingerprint = 0; ///< execution_plan::fingerprint() of its job graph
  std::int32_t slots = 0;
  std::string name;         ///< "host:pid"
  std::string peer_address; ///< where other task managers connect to it
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, register_task_manager_msg& x) {
  return f(caf::meta::type_name("sluice::register_task_manager_msg"), x.fingerprint, x.slots,
           x.name, x.peer_address);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, histogram_statistics& x) {
  return f(caf::meta::type_name("sluice::histogram_statistics"), x.min, x.max, x.mean, x.stddev,
           x.quantiles);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_metric_value& x) {
  return f(caf::meta::type_name("sluice::user_metric_value"), x.name, x.kind, x.count, x.value,
           x.statistics);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, operator_metrics& x) {
  return f(caf::meta::type_name("sluice::operator_metrics"), x.name, x.records_in, x.records_out,
           x.late_records_dropped, x.user);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subtask_metrics& x) {
  return f(caf::meta::type_name("sluice::subtask_metrics"), x.task, x.vertex, x.subtask,
           x.records_in, x.records_out, x.batches_in, x.batches_out, x.backpressured_ns,
           x.credits_outstanding, x.max_in_flight, x.max_credits, x.bytes_in, x.bytes_out, x.busy_ns,
           x.batches_waiting, x.input_watermark, x.output_watermark, x.started_ms, x.finished,
           x.pending_records, x.pending_bytes, x.input_bytes, x.bytes_read,
           x.operators);
}

/// A task manager's periodic report to the job manager (reply to report_atom): its process's
/// resources and the counters of its running subtasks.
struct task_manager_report {
  std::int32_t slots = 0;
  std::uint64_t rss_bytes = 0;
  std::uint64_t cpu_ms = 0; ///< user + system CPU time of the process
  std::uint64_t pool_kept_bytes = 0; ///< batch buffers kept by the process's buffer pool
  std::uint64_t pool_max_bytes = 0;
  std::vector<subtask_metrics> subtasks;
  bool rocksdb = false; ///< its subtasks keep state in RocksDB: the two values below are known
  std::uint64_t rocksdb_block_cache_bytes = 0; ///< rocksdb.block-cache-usage of the shared cache
  std::uint64_t rocksdb_memtable_bytes = 0;    ///< rocksdb.cur-size-all-mem-tables, all instances
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_manager_report& x) {
  return f(caf::meta::type_name("sluice::task_manager_report"), x.slots, x.rss_bytes, x.cpu_ms,
           x.pool_kept_bytes, x.pool_max_bytes, x.subtasks, x.rocksdb, x.rocksdb_block_cache_bytes,
           x.rocksdb_memtable_bytes);
}

// -- checkpoints --------------------------------------------------------------------------------

/// Take checkpoint `checkpoint_id` (job manager -> sources; and -> every subtask whose input
/// finished, which snapshots without emitting a barrier). For a savepoint, the job manager
/// first sends it as a request to every other subtask, which records where its snapshot goes
/// and replies, and only then to the sources.
struct trigger_checkpoint_msg {
  std::int64_t checkpoint_id = 0;
  std::int64_t timestamp_ms = 0; ///< when the coordinator triggered it
  std::string target_dir;        ///< a savepoint's directory; "" for the job's chk-N
  bool stop = false;             ///< stop with savepoint: sources emit nothing after the barrier
  bool drain = false;            ///< with stop: sources emit the maximum watermark first
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, trigger_checkpoint_msg& x) {
  return f(caf::meta::type_name("sluice::trigger_checkpoint_msg"), x.checkpoint_id,
           x.timestamp_ms, x.target_dir, x.stop, x.drain);
}

/// A subtask wrote its part of a checkpoint: per operator uid of its chain, the operator
/// subtask's state (subtask_state_to_text), and what it measured.
struct checkpoint_ack_msg {
  std::int32_t vertex = 0;
  std::int32_t subtask = 0;
  std::int64_t checkpoint_id = 0;
  std::map<std::string, std::string> states;
  std::int64_t alignment_ms = 0;
  std::int64_t start_delay_ms = 0; ///< measured by sources and subtasks whose input finished
  std::uint64_t in_flight_bytes = 0;
  /// When the first barrier arrived (ms since the epoch; 0 without barriers): the job manager
  /// makes the start delay of it.
  std::int64_t first_barrier_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_ack_msg& x) {
  return f(caf::meta::type_name("sluice::checkpoint_ack_msg"), x.vertex, x.subtask,
           x.checkpoint_id, x.states, x.alignment_ms, x.start_delay_ms, x.in_flight_bytes,
           x.first_barrier_ms);
}

/// A subtask cannot take part in a checkpoint (a newer barrier overtook it, its snapshot failed).
struct checkpoint_decline_msg {
  std::int32_t vertex = 0;
  std::int32_t subtask = 0;
  std::int64_t checkpoint_id = 0;
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_decline_msg& x) {
  return f(caf::meta::type_name("sluice::checkpoint_decline_msg"), x.vertex, x.subtask,
           x.checkpoint_id, x.reason);
}

/// The job manager ended a checkpoint: completed (its `_metadata` is written) or aborted.
struct checkpoint_ended_msg {
  std::int64_t checkpoint_id = 0;
  bool completed = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, checkpoint_ended_msg& x) {
  return f(caf::meta::type_name("sluice::checkpoint_ended_msg"), x.checkpoint_id, x.completed);
}

// -- client requests ----------------------------------------------------------------------------

/// Take a savepoint (client -> job manager; also sent remotely by the `sluice` tool). Reply: the
/// savepoint's directory, or an error saying why there is none. `dir`: the parent directory
/// (empty: the job's --savepoint-dir). `stop`: then finish the job (successfully); `drain`: with
/// stop, emit the maximum watermark first, so every event-time window and timer fires. `job`:
/// the job id or name the client means (empty: the job manager's job); another is refused.
struct savepoint_request_msg {
  std::string dir;
  bool stop = false;
  bool drain = false;
  std::string job;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, savepoint_request_msg& x) {
  return f(caf::meta::type_name("sluice::savepoint_request_msg"), x.dir, x.stop, x.drain,
           x.job);
}

// -- queries of the `sluice` tool (cluster_client.hpp) ------------------------------------------

/// A job of a job manager (reply to list_jobs_atom, in a vector: one job per job manager).
struct job_overview {
  std::string id;   ///< job_id_of(name)
  std::string name;
  std::string state; ///< CREATED, DEPLOYING, RUNNING, RESTARTING, STOPPING, FINISHING, FINISHED
  std::int64_t uptime_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_overview& x) {
  return f(caf::meta::type_name("sluice::job_overview"), x.id, x.name, x.state, x.uptime_ms);
}

/// Where one subtask runs and what it counted (records, time backpressured) in this attempt.
struct subtask_status {
  std::string vertex;  ///< the vertex's name ("map -> filter")
  std::int32_t vertex_id = 0;
  std::int32_t subtask = 0;
  std::int32_t parallelism = 0;
  std::string task_manager; ///< "host:pid" ("local" in the embedded cluster); "" if not deployed
  std::int32_t slot = 0;
  bool reported = false; ///< its task manager answered: the counters below are known
  std::uint64_t records_in = 0;
  std::uint64_t records_out = 0;
  std::uint64_t backpressured_ms = 0;
  bool finished = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subtask_status& x) {
  return f(caf::meta::type_name("sluice::subtask_status"), x.vertex, x.vertex_id, x.subtask,
           x.parallelism, x.task_manager, x.slot, x.reported, x.records_in, x.records_out,
           x.backpressured_ms, x.finished);
}

/// A job and every subtask of it (reply to job_details_atom).
struct job_details {
  job_overview job;
  std::vector<subtask_status> subtasks; ///< by vertex, then subtask index
  std::int64_t latest_checkpoint = 0;   ///< the latest completed checkpoint's id; 0: none
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, job_details& x) {
  return f(caf::meta::type_name("sluice::job_details"), x.job, x.subtasks, x.latest_checkpoint);
}

/// A task manager of a job manager (reply to list_task_managers_atom, in a vector).
struct task_manager_info {
  std::string name;         ///< "host:pid"
  std::string peer_address; ///< where other task managers connect to it ("" if embedded)
  std::int32_t slots = 0;
  std::int32_t slots_used = 0; ///< slots holding subtasks of the last deployment
  bool ready = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_manager_info& x) {
  return f(caf::meta::type_name("sluice::task_manager_info"), x.name, x.peer_address, x.slots,
           x.slots_used, x.ready);
}

using continue_atom = caf::atom_constant<caf::atom("s_continue")>;
using flush_tick_atom = caf::atom_constant<caf::atom("s_flush")>;
using cancel_job_atom = caf::atom_constant<caf::atom("s_cancel")>;
using watermark_tick_atom = caf::atom_constant<caf::atom("s_wmtick")>;
using wakeup_atom = caf::atom_constant<caf::atom("s_wakeup")>;
/// A subtask's timer: publish its operators' metrics (once per --metrics-interval-ms).
using publish_metrics_atom = caf::atom_constant<caf::atom("s_publish")>;
/// Process more input (a subtask to itself, with unaligned checkpoints).
using input_atom = caf::atom_constant<caf::atom("s_input")>;
/// The aligned checkpoint timeout of checkpoint N may have passed (a subtask to itself).
using alignment_timeout_atom = caf::atom_constant<caf::atom("s_aligntmo")>;
/// After the final checkpoint: close the operators and quit (job manager -> subtask).
using close_subtask_atom = caf::atom_constant<caf::atom("s_close")>;
/// The restart delay of attempt N passed (job manager -> itself).
using restart_atom = caf::atom_constant<caf::atom("s_restart")>;
/// The job manager's checkpoint timer (triggers, timeouts).
using checkpoint_tick_atom = caf::atom_constant<caf::atom("s_ckpttick")>;

/// A registered task manager connected to its peers and offers its slots now.
using task_manager_ready_atom = caf::atom_constant<caf::atom("s_tmready")>;
/// A task manager's helper connected it to its peers (helper -> task manager).
using peers_connected_atom = caf::atom_constant<caf::atom("s_peersok")>;
/// Connecting to the peers took too long: offer the slots anyway (task manager -> itself).
using peers_tick_atom = caf::atom_constant<caf::atom("s_peertick")>;
/// The counters of the subtasks of a task manager (reply: std::vector<subtask_metrics>).
using metrics_atom = caf::atom_constant<caf::atom("s_metrics")>;
/// A task manager's report (reply: task_manager_report); the job manager's metrics timer.
using report_atom = caf::atom_constant<caf::atom("s_report")>;
using metrics_tick_atom = caf::atom_constant<caf::atom("s_mtick")>;
/// The job manager's whole state as a JSON document for the REST API (reply: std::string).
using rest_state_atom = caf::atom_constant<caf::atom("s_rest")>;
/// The job manager waited long enough for task managers' slots (attempt).
using slots_timeout_atom = caf::atom_constant<caf::atom("s_slotwait")>;
/// Queries of the `sluice` tool (job manager replies: std::vector<job_overview>;
/// `(job_details_atom, std::string job)`: job_details; std::vector<task_manager_info>).
/// `(cancel_job_atom, std::string job)` cancels the job named (reply: its id).
using list_jobs_atom = caf::atom_constant<caf::atom("s_jobs")>;
using job_details_atom = caf::atom_constant<caf::atom("s_jobinfo")>;
using list_task_managers_atom = caf::atom_constant<caf::atom("s_tms")>;

/// Registers every message above under its name.
void register_messages(caf::actor_system_config& cfg);

} // namespace sluice
