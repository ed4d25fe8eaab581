// The hand-off side of a subtask (state_handoff.hpp): a subtask a rescale replaces prepares the
// key groups that will move while it still runs, and keeps a copy of its snapshot (with what it
// prepared) at the rescale's stop; a successor restores what those copies hold, fetching the
// copies other task managers keep first.

#include "state_handoff_transfer.hpp"
#include "subtask_actor.hpp"

#include "sluice/actors/checkpoint_ids.hpp"
#include "sluice/actors/state_handoff.hpp"
#include "sluice/operators/core/logging.hpp"

#include <algorithm>
#include <filesystem>

namespace fs = std::filesystem;

namespace sluice {

namespace {

/// Preparing for a rescale, waited for by a helper actor.
struct prepare_job {
  std::vector<std::shared_future<void>> prepared;
  handoff_prepared_msg done;
  caf::actor job_manager;
  std::string task;
};

/// Waits until the keyed backends prepared, then tells the job manager (which goes on with
/// what failed left out: its key groups are copied after the stop).
void wait_and_report(caf::event_based_actor* self, prepare_job job) {
  for (auto& f : job.prepared) {
    try {
      f.get();
    } catch (const std::exception& e) {
      log()->warn("{}: preparing the key groups a rescale moves failed: {}", job.task, e.what());
    }
  }
  self->send(job.job_manager, job.done);
}

} // namespace

void subtask_actor::prepare_handoff(const prepare_handoff_msg& msg) {
  if (msg.parallelism == 0) {
    if (chain_)
      chain_->cancel_handoff();
    return;
  }
  prepare_job job{{}, {msg.rescale, setup_.vertex, setup_.subtask}, setup_.job_manager,
                  counters_.task};
  try {
    if (chain_ && !done()) // else nothing to prepare: the answer goes at once
      job.prepared = chain_->prepare_handoff(msg.parallelism);
  } catch (const std::exception& e) {
    chain_->cancel_handoff();
    job.prepared.clear();
    log()->warn("{}: cannot prepare the key groups a rescale moves: {}", log_prefix_, e.what());
  }
  spawn<caf::detached>(wait_and_report, std::move(job));
}

std::shared_ptr<const local_snapshot_store> subtask_actor::handoff_store() {
  if (!handoff_)
    handoff_ = std::make_shared<const local_snapshot_store>(
        setup_.config->state.state_dir, snapshot_owner(), copy_purpose::rescale_handoff);
  return handoff_;
}

void subtask_actor::take_handoff(checkpoint_metadata& restored,
                                 std::vector<std::string>& fetched) {
  const auto owner = snapshot_owner();
  const auto mine =
      key_group_range_for_subtask(owner.max_parallelism, owner.parallelism, owner.subtask);
  const auto holds = [&](const handoff_source& source) {
    return std::any_of(owner.uids.begin(), owner.uids.end(), [&](const std::string& uid) {
      return std::count(source.uids.begin(), source.uids.end(), uid) > 0 &&
             holds_key_groups(restored, uid, source.subtask, mine);
    });
  };
  const auto root =
      local_snapshot_store::root(setup_.config->state.state_dir, copy_purpose::rescale_handoff);
  const auto timeout = std::chrono::milliseconds(setup_.config->cluster.registration_timeout_ms);
  handoff_counts counts;
  std::uint64_t fetched_bytes = 0;
  std::vector<std::string> dirs;
  std::vector<std::string> problems;
  for (const auto& source : setup_.handoff) {
    if (!holds(source))
      continue;
    const handoff_copy_msg copy{owner.job_id, restored.checkpoint_id, source.vertex,
                                source.subtask};
    const auto from = "v" + std::to_string(source.vertex) + "-s" + std::to_string(source.subtask);
    if (!source.host || source.host.node() == system().node()) {
      dirs.push_back(local_snapshot_store::copy_dir(
          local_snapshot_store::subtask_dir(root, owner.job_id, source.vertex, source.subtask),
          restored.checkpoint_id));
      continue;
    }
    const auto target = local_snapshot_store::copy_dir(
        local_snapshot_store::subtask_dir(root, owner.job_id, owner.vertex, owner.subtask) +
            "-fetched-" + from,
        restored.checkpoint_id);
    try {
      fetched_bytes += fetch_handoff_copy(system(), source.host, copy, target, timeout);
      fetched.push_back(target);
      dirs.push_back(target);
      ++counts.fetched;
    } catch (const std::exception& e) {
      problems.push_back("fetching the copy of " + from + " from its task manager failed: " +
                         e.what());
    }
  }
  const auto handles = match_handoff_copies(dirs, restored, owner.uids, problems);
  int holding = 0; // old subtasks' keyed states with key groups of this subtask
  for (const auto& uid : owner.uids) {
    const auto op = restored.operators.find(uid);
    if (op != restored.operators.end())
      for (const auto& entry : op->second.subtasks)
        holding += holds_key_groups(restored, uid, entry.first, mine) ? 1 : 0;
  }
  counts.from_copies = substitute_handoff_copies(restored, handles);
  counts.from_checkpoint_dir = holding - counts.from_copies;
  count_handoff_restores(counts);
  for (const auto& problem : problems)
    log()->warn("{}: a hand-off copy of checkpoint {} cannot be used: {}", log_prefix_,
                restored.checkpoint_id, problem);
  log()->info("{}: restoring the keyed state of {} old subtask(s) from the rescale's hand-off "
              "copies ({} fetched from other task managers, {} bytes), {} from the checkpoint "
              "directory",
              log_prefix_, counts.from_copies, counts.fetched, fetched_bytes,
              counts.from_checkpoint_dir);
}

} // namespace sluice
