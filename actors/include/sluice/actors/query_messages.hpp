#pragma once
// Requests of clients (the `sluice` tool, the REST API) to the job manager, and its replies:
// savepoints, rescaling, cancellation, the job and its subtasks, the task managers, the state document.
// Registered by register_messages() (messages.hpp).

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sluice {

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

/// Rescale the running job (client -> job manager; also sent remotely by the `sluice` tool).
/// `vertex` empty: every operator whose parallelism the job program did not set runs at
/// `parallelism`; else the operators chained with the operator of uid `vertex`. The job stops at
/// a checkpoint (its barrier aligned, sources stopped after it, sinks commit) and the subtasks
/// are deployed again at the new parallelism from it, without a restart of any process.
/// Reply: a sentence saying what runs now, or an error saying why not (the job goes on).
struct rescale_request_msg {
  std::string job;
  std::int32_t parallelism = 0;
  std::string vertex;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rescale_request_msg& x) {
  return f(caf::meta::type_name("sluice::rescale_request_msg"), x.job, x.parallelism, x.vertex);
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

using cancel_job_atom = caf::atom_constant<caf::atom("s_cancel")>;
/// The job manager's whole state as a JSON document for the REST API (reply: std::string).
using rest_state_atom = caf::atom_constant<caf::atom("s_rest")>;
/// Queries of the `sluice` tool (job manager replies: std::vector<job_overview>;
/// `(job_details_atom, std::string job)`: job_details; std::vector<task_manager_info>).
/// `(cancel_job_atom, std::string job)` cancels the job named (reply: its id).
using list_jobs_atom = caf::atom_constant<caf::atom("s_jobs")>;
using job_details_atom = caf::atom_constant<caf::atom("s_jobinfo")>;
using list_task_managers_atom = caf::atom_constant<caf::atom("s_tms")>;

} // namespace sluice
