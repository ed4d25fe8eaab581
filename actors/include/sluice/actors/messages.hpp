#pragma once
// Every runtime message of Sluice, with its inspect overload, in one place.
// Register them with register_messages() in every actor_system_config (same names on every node).
//
// In-band (same ordered channel as the data): batch_msg, event_msg.
// Out-of-band: credit_msg, and the deployment/lifecycle messages.

#include <caf/all.hpp>

#include <cstdint>
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

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, batch_msg& x) {
  return f(caf::meta::type_name("sluice::batch_msg"), x.channel, x.backlog, x.records, x.bytes);
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
struct deploy_msg {
  std::int32_t vertex = 0;
  std::int32_t subtask = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, deploy_msg& x) {
  return f(caf::meta::type_name("sluice::deploy_msg"), x.vertex, x.subtask);
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

/// A subtask failed; `error` names the operator and the cause.
struct subtask_failed_msg {
  std::int32_t vertex = 0;
  std::int32_t subtask = 0;
  std::string error;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subtask_failed_msg& x) {
  return f(caf::meta::type_name("sluice::subtask_failed_msg"), x.vertex, x.subtask, x.error);
}

using continue_atom = caf::atom_constant<caf::atom("s_continue")>;
using flush_tick_atom = caf::atom_constant<caf::atom("s_flush")>;
using cancel_job_atom = caf::atom_constant<caf::atom("s_cancel")>;
using watermark_tick_atom = caf::atom_constant<caf::atom("s_wmtick")>;
using wakeup_atom = caf::atom_constant<caf::atom("s_wakeup")>;

/// Registers every message above under its name.
void register_messages(caf::actor_system_config& cfg);

} // namespace sluice
