#pragma once
// Deployment, lifecycle and the cluster: the job manager deploys and starts subtasks on task
// managers, subtasks report their end, task managers register, connect to their peers and report
// their metrics; the timers of subtasks, task managers and the job manager that drive these.
// Registered by register_messages() (messages.hpp).

#include "sluice/operators/api/job_result.hpp"

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sluice {

/// A subtask a rescale replaced (state_handoff.hpp): the key groups its successors take from it
/// come from the copy of its snapshot that its task manager kept.
struct handoff_source {
  std::int32_t vertex = 0;  ///< in the job's plan before the rescale
  std::int32_t subtask = 0;
  std::vector<std::string> uids; ///< the operators of its chain
  caf::actor host;               ///< its task manager
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, handoff_source& x) {
  return f(caf::meta::type_name("sluice::handoff_source"), x.vertex, x.subtask, x.uids, x.host);
}

/// Deploy subtask `subtask` of vertex `vertex` (job manager -> task manager; reply: caf::actor).
/// `restore` is the `_metadata` file of the checkpoint to restore the state from, or empty.
/// It runs in slot `slot` of that task manager. A rescaled job's plan is the job graph built
/// with `parallelism` (execution_plan::node_parallelism(); empty: the plan the job started
/// with), whose execution_plan::fingerprint() is `fingerprint`. `generation` numbers the
/// wiring its channels belong to (wire_channel). `handoff`: at a rescale, the subtasks it
/// replaced, whose copies a restore of `restore` reads instead of the checkpoint directory.
struct deploy_msg {
  std::int32_t vertex = 0;
  std::int32_t subtask = 0;
  std::int32_t slot = 0;
  std::string restore;
  std::vector<std::int32_t> parallelism;
  std::uint64_t fingerprint = 0;
  std::int32_t generation = 0;
  std::vector<handoff_source> handoff{};
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, deploy_msg& x) {
  return f(caf::meta::type_name("sluice::deploy_msg"), x.vertex, x.subtask, x.slot, x.restore,
           x.parallelism, x.fingerprint, x.generation, x.handoff);
}

/// One hand-off copy a task manager keeps: of subtask `subtask` of vertex `vertex` of job
/// `job_id` at checkpoint `checkpoint_id`. Asked of the task manager (a subtask -> the
/// handoff_source's host), it lists the copy's files (reply: handoff_listing_msg, or an error).
struct handoff_copy_msg {
  std::string job_id;
  std::int64_t checkpoint_id = 0;
  std::int32_t vertex = 0;
  std::int32_t subtask = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, handoff_copy_msg& x) {
  return f(caf::meta::type_name("sluice::handoff_copy_msg"), x.job_id, x.checkpoint_id, x.vertex,
           x.subtask);
}

/// The files of a hand-off copy, relative to its directory, and their sizes.
struct handoff_listing_msg {
  std::vector<std::string> files;
  std::vector<std::uint64_t> sizes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, handoff_listing_msg& x) {
  return f(caf::meta::type_name("sluice::handoff_listing_msg"), x.files, x.sizes);
}

/// Up to `length` bytes of file `file` of hand-off copy `copy` from `offset` (a subtask -> the
/// task manager keeping it; reply: handoff_chunk_msg, or an error).
struct handoff_read_msg {
  handoff_copy_msg copy;
  std::string file;
  std::uint64_t offset = 0;
  std::uint32_t length = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, handoff_read_msg& x) {
  return f(caf::meta::type_name("sluice::handoff_read_msg"), x.copy, x.file, x.offset, x.length);
}

struct handoff_chunk_msg {
  std::vector<char> bytes; ///< fewer than asked only at the end of the file
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, handoff_chunk_msg& x) {
  return f(caf::meta::type_name("sluice::handoff_chunk_msg"), x.bytes);
}

/// The job completed a checkpoint after the rescale at checkpoint `checkpoint_id`: its
/// successors restored; the hand-off copies up to it go (job manager -> task managers).
struct drop_handoff_msg {
  std::string job_id;
  std::int64_t checkpoint_id = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, drop_handoff_msg& x) {
  return f(caf::meta::type_name("sluice::drop_handoff_msg"), x.job_id, x.checkpoint_id);
}

/// A rescale is coming that gives the vertex of the receiving subtask `parallelism` subtasks
/// (job manager -> each subtask the rescale replaces): prepare the key groups that will move
/// away from it (operator_chain::prepare_handoff) and answer handoff_prepared_msg once they are.
/// Parallelism 0: the rescale of that number is off; drop what was prepared.
struct prepare_handoff_msg {
  std::int64_t rescale = 0; ///< the job manager's count of rescales
  int parallelism = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, prepare_handoff_msg& x) {
  return f(caf::meta::type_name("sluice::prepare_handoff_msg"), x.rescale, x.parallelism);
}

/// A subtask prepared for rescale `rescale` (subtask -> job manager).
struct handoff_prepared_msg {
  std::int64_t rescale = 0;
  int vertex = 0;
  int subtask = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, handoff_prepared_msg& x) {
  return f(caf::meta::type_name("sluice::handoff_prepared_msg"), x.rescale, x.vertex, x.subtask);
}

/// Start running; `subtasks` holds every subtask of the job, by vertex, then subtask index, and
/// `data_addresses` the data address of the task manager each runs on ("" where it has none:
/// the embedded cluster's, or with TLS; data to it goes through CAF).
struct start_msg {
  std::vector<caf::actor> subtasks;
  std::vector<std::string> data_addresses;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, start_msg& x) {
  return f(caf::meta::type_name("sluice::start_msg"), x.subtasks, x.data_addresses);
}

/// A rescale in place (job manager -> a subtask of a vertex the rescale leaves as it is; reply:
/// rewired_atom, or an error): the job's plan is now the one built with `parallelism`, whose
/// fingerprint is `fingerprint`. The subtask keeps its operators and state, connects its
/// channels to the subtasks of `wiring` in generation `generation`, and emits nothing until
/// resume_subtask_atom.
struct rewire_msg {
  std::vector<std::int32_t> parallelism;
  std::uint64_t fingerprint = 0;
  std::int32_t generation = 0;
  start_msg wiring;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rewire_msg& x) {
  return f(caf::meta::type_name("sluice::rewire_msg"), x.parallelism, x.fingerprint,
           x.generation, x.wiring);
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

/// A task manager process offers its slots (task manager actor -> job manager). Reply: the
/// peer addresses (HOST:PORT) of the task managers registered before it, which it connects to
/// before it reports task_manager_ready_atom; or an error saying why it is refused.
struct register_task_manager_msg {
  std::uint64_t fingerprint = 0; ///< execution_plan::fingerprint() of its job graph
  std::int32_t slots = 0;
  std::string name;         ///< "host:pid"
  std::string peer_address; ///< where other task managers connect to it
  std::string data_address; ///< where they send its subtasks data ("" with TLS: through CAF)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, register_task_manager_msg& x) {
  return f(caf::meta::type_name("sluice::register_task_manager_msg"), x.fingerprint, x.slots,
           x.name, x.peer_address, x.data_address);
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

using continue_atom = caf::atom_constant<caf::atom("s_continue")>;
using watermark_tick_atom = caf::atom_constant<caf::atom("s_wmtick")>;
using wakeup_atom = caf::atom_constant<caf::atom("s_wakeup")>;
/// A subtask's timer: publish its operators' metrics (once per --metrics-interval-ms).
using publish_metrics_atom = caf::atom_constant<caf::atom("s_publish")>;
/// After the final checkpoint: close the operators and quit (job manager -> subtask).
using close_subtask_atom = caf::atom_constant<caf::atom("s_close")>;
/// A subtask took rewire_msg (its reply).
using rewired_atom = caf::atom_constant<caf::atom("s_rewired")>;
/// Every kept subtask of a rescale in place is rewired: go on (job manager -> kept subtask).
using resume_subtask_atom = caf::atom_constant<caf::atom("s_resume")>;
/// The restart delay of attempt N passed (job manager -> itself).
using restart_atom = caf::atom_constant<caf::atom("s_restart")>;
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
/// The job manager waited long enough for the subtasks of rescale N to prepare.
using prepare_timeout_atom = caf::atom_constant<caf::atom("s_preptmo")>;
/// The job manager waited long enough for task managers' slots (attempt).
using slots_timeout_atom = caf::atom_constant<caf::atom("s_slotwait")>;

} // namespace sluice
