// The checkpoint side of operator_chain: restoring the backends, snapshots, notifications.

#include "sluice/actors/operator_chain.hpp"

#include "sluice/checkpoint/checkpoint_error.hpp"

#include <system_error>

namespace sluice {

void operator_chain::restore_state(std::size_t i, const checkpoint_metadata& restored,
                                   const std::map<std::string, local_keyed_copy>* local) {
  auto it = restored.operators.find(uids_[i]);
  if (it == restored.operators.end())
    return;
  std::vector<keyed_state_handle> keyed;
  std::vector<operator_state_handle> operator_handles;
  for (const auto& [index, s] : it->second.subtasks) {
    if (s.keyed_state)
      keyed.push_back(*s.keyed_state);
    if (s.operator_state)
      operator_handles.push_back(*s.operator_state);
  }
  auto& ctx = contexts_[i];
  ctx.operator_state->restore(operator_handles, ctx.subtask_index, ctx.parallelism);
  if (!ctx.keyed_state || keyed.empty())
    return;
  if (local && local->count(uids_[i]))
    ctx.keyed_state->restore_local(local->at(uids_[i]));
  else
    ctx.keyed_state->restore(keyed);
}

operator_chain::snapshot_writer operator_chain::snapshot(std::int64_t checkpoint_id,
                                                         const std::filesystem::path& dir,
                                                         const std::filesystem::path& shared_dir) {
  for_each_operator([&](stream_operator& op) { op.snapshot_state(checkpoint_id); });
  // `dir` is the job manager's (it creates it before the trigger): gone, the checkpoint failed
  // already (another subtask declined it) and must not be created again as debris; a full disk
  // refuses the subdirectories. Either declines the checkpoint (the writer throws), it fails no
  // operator.
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    const auto target = dir / ("n" + std::to_string(vertex_->nodes[i]));
    std::error_code ec;
    std::filesystem::create_directory(target, ec);
    if (ec)
      return [error = "directory '" + target.string() + "' cannot be created: " + ec.message()]()
                 -> std::map<std::string, subtask_state> { throw checkpoint_error(error); };
  }
  struct part {
    std::string uid;
    std::function<operator_state_handle()> operator_state;
    std::function<keyed_state_handle()> keyed_state;
  };
  std::vector<part> parts;
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    const auto& ctx = contexts_[i];
    run_naming(ctx.operator_name, [&] {
      const auto target = dir / ("n" + std::to_string(vertex_->nodes[i]));
      part p{uids_[i], ctx.operator_state->snapshot_sync(checkpoint_id, target.string(), subtask_),
             nullptr};
      if (ctx.keyed_state)
        p.keyed_state =
            ctx.keyed_state->snapshot_sync(checkpoint_id, target.string(), shared_dir.string());
      parts.push_back(std::move(p));
    });
  }
  return [parts = std::move(parts)] {
    std::map<std::string, subtask_state> out;
    for (const auto& p : parts) {
      auto& s = out[p.uid];
      s.operator_state = p.operator_state();
      if (p.keyed_state)
        s.keyed_state = p.keyed_state();
    }
    return out;
  };
}

void operator_chain::notify_checkpoint_complete(std::int64_t checkpoint_id) {
  for_each_operator([&](stream_operator& op) { op.notify_checkpoint_complete(checkpoint_id); });
}

std::vector<std::shared_future<void>> operator_chain::prepare_handoff(int new_parallelism) {
  std::vector<std::shared_future<void>> out;
  for (const auto& ctx : contexts_)
    if (ctx.keyed_state)
      out.push_back(ctx.keyed_state->prepare_handoff(ctx.parallelism, new_parallelism));
  return out;
}

std::map<std::string, std::string>
operator_chain::finish_handoff(std::vector<std::string>& problems) {
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i < contexts_.size(); ++i) {
    if (!contexts_[i].keyed_state)
      continue;
    try {
      if (auto dir = contexts_[i].keyed_state->finish_handoff(); !dir.empty())
        out[uids_[i]] = std::move(dir);
    } catch (const std::exception& e) {
      problems.push_back(e.what());
    }
  }
  return out;
}

void operator_chain::cancel_handoff() {
  for (const auto& ctx : contexts_)
    if (ctx.keyed_state)
      ctx.keyed_state->cancel_handoff();
}

int operator_chain::restored_from_moves() const {
  int n = 0;
  for (const auto& ctx : contexts_)
    if (ctx.keyed_state)
      n += ctx.keyed_state->restored_from_moves();
  return n;
}

void operator_chain::notify_checkpoint_aborted(std::int64_t checkpoint_id) {
  for_each_operator([&](stream_operator& op) { op.notify_checkpoint_aborted(checkpoint_id); });
}

} // namespace sluice
