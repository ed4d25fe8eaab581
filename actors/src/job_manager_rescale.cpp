// Rescaling a running job in place (docs/cluster.md, "Rescaling a running job"): the job stops
// at a checkpoint of its own; the subtasks of the vertices whose parallelism changes close,
// their successors are deployed and restore that checkpoint, and the subtasks of every other
// vertex stay where they are with their state, rewired to the new subtasks.

#include "job_manager.hpp"

#include "caf_error_text.hpp"
#include "job_queries.hpp"
#include "job_rescale.hpp"

#include "sluice/actors/checkpoint_ids.hpp"
#include "sluice/operators/core/logging.hpp"

namespace sluice {

caf::result<std::string> job_manager::on_rescale_request(const rescale_request_msg& msg) {
  auto promise = make_response_promise();
  if (!msg.job.empty() && !names_job(setup_, msg.job)) {
    promise.deliver(unknown_job(setup_, msg.job));
    return promise;
  }
  const auto& d = deployment_;
  std::string why;
  std::shared_ptr<const execution_plan> plan;
  if (d.ended)
    why = "the job is not running";
  else if (d.restarting || !d.all_deployed())
    why = "the job is being deployed or restarted";
  else if (rescale_)
    why = "a rescale is in progress already";
  else if (!setup_.config->checkpointing.enabled() && d.done > 0)
    why = "some subtasks finished their input and quit (without --checkpoint-interval-ms "
          "finished subtasks cannot take part in the checkpoint a rescale stops at)";
  if (why.empty()) {
    try {
      plan = rescaled_plan(*setup_.plan, *setup_.config, msg.parallelism, msg.vertex);
      if (plan->required_slots() > task_managers_.ready_slots())
        why = "it needs " + std::to_string(plan->required_slots()) +
              " slots, the task managers offer " + std::to_string(task_managers_.ready_slots());
      else if (!checkpointer_)
        start_checkpointer();
    } catch (const std::exception& e) {
      why = e.what();
    }
  }
  if (why.empty())
    why = checkpointer_->rescale_refusal();
  if (!why.empty()) {
    promise.deliver(caf::make_error(caf::sec::runtime_error,
                                    "no rescale of job '" + setup_.job_name + "': " + why));
    return promise;
  }
  rescale_.emplace();
  rescale_->plan = plan;
  rescale_->promise = promise;
  rescale_->changes = rescale_changes(*setup_.plan, *plan);
  rescale_->kept_vertices = kept_vertices(*setup_.plan, *plan);
  rescale_->id = ++rescales_;
  log()->info("[{}] rescaling: {}", setup_.job_name, rescale_->changes);
  prepare_rescale();
  return promise;
}

void job_manager::send_to_replaced(const std::function<void(const plan_vertex&,
                                                             const caf::actor&)>& f) {
  const auto& plan = *setup_.plan;
  for (const auto& v : plan.vertices()) {
    if (rescale_->kept_vertices[static_cast<std::size_t>(v.id)])
      continue;
    for (int i = 0; i < v.parallelism; ++i) {
      const auto flat = flat_subtask_index(plan, v.id, i);
      if (flat < deployment_.subtasks.size() && deployment_.subtasks[flat])
        f(v, deployment_.subtasks[flat]);
    }
  }
}

void job_manager::prepare_rescale() {
  // The replaced subtasks of a vertex whose parallelism changes prepare the key groups that
  // will move away from them while the job still runs; the stop waits for them.
  const auto& after = *rescale_->plan;
  send_to_replaced([&](const plan_vertex& v, const caf::actor& sub) {
    const int to = after.vertices()
                       .at(static_cast<std::size_t>(after.vertex_of(v.nodes.front())))
                       .parallelism;
    if (to == v.parallelism)
      return;
    send(sub, prepare_handoff_msg{rescale_->id, to});
    ++rescale_->preparing;
  });
  if (rescale_->preparing == 0) {
    stop_for_rescale();
    return;
  }
  delayed_send(this, std::chrono::milliseconds(setup_.config->checkpointing.timeout_ms),
               prepare_timeout_atom::value, rescale_->id);
}

void job_manager::on_handoff_prepared(const handoff_prepared_msg& msg) {
  if (rescale_ && msg.rescale == rescale_->id && rescale_->preparing > 0 &&
      --rescale_->preparing == 0)
    stop_for_rescale();
}

void job_manager::on_prepare_timeout(std::int64_t rescale) {
  if (!rescale_ || rescale != rescale_->id || rescale_->preparing == 0)
    return;
  log()->warn("[{}] {} subtask(s) did not prepare for the rescale within {} ms; it goes on, "
              "their key groups are copied after the stop",
              setup_.job_name, rescale_->preparing, setup_.config->checkpointing.timeout_ms);
  rescale_->preparing = 0;
  stop_for_rescale();
}

void job_manager::stop_for_rescale() {
  std::vector<bool> replaced;
  for (bool kept : rescale_->kept_vertices)
    replaced.push_back(!kept);
  checkpointer_->request_rescale_stop(
      std::move(replaced),
      [this](std::optional<std::string> failure) { on_rescale_stopped(std::move(failure)); });
}

void job_manager::on_rescale_stopped(std::optional<std::string> failure) {
  if (!rescale_)
    return;
  if (failure) {
    finish_rescale(std::move(failure));
    return;
  }
  rescale_->stopped = true;
  // The sinks committed the checkpoint (checkpoint_ended_msg went first): the subtasks of the
  // vertices that change close.
  send_to_replaced([&](const plan_vertex&, const caf::actor& sub) {
    send(sub, close_subtask_atom::value);
    ++rescale_->closing;
  });
  if (rescale_->closing == 0)
    redeploy_rescaled();
}

void job_manager::on_rescale_closed(const subtask_done_msg& msg) {
  auto& d = deployment_;
  const auto i = flat_subtask_index(*setup_.plan, msg.vertex, msg.subtask);
  if (d.finished[i])
    return;
  d.finished[i] = true;
  if (--rescale_->closing == 0)
    redeploy_rescaled();
}

std::vector<handoff_source> job_manager::handoff_sources() const {
  const auto& plan = *setup_.plan;
  std::vector<handoff_source> out;
  for (const auto& v : plan.vertices()) {
    if (rescale_->kept_vertices[static_cast<std::size_t>(v.id)])
      continue;
    std::vector<std::string> uids;
    for (int node : v.nodes)
      uids.push_back(operator_uid(plan.graph().node(node)));
    for (int i = 0; i < v.parallelism; ++i) {
      const auto& where = deployment_.locations[flat_subtask_index(plan, v.id, i)];
      for (const auto& tm : task_managers_.entries())
        if (tm.name == where.task_manager)
          out.push_back({v.id, i, uids, tm.actor});
    }
  }
  return out;
}

void job_manager::drop_handoff_copies_before(std::int64_t completed) {
  const drop_handoff_msg msg{job_id_of(setup_.job_name), completed - 1};
  for (const auto& tm : task_managers_.entries())
    send(tm.actor, msg);
}

void job_manager::redeploy_rescaled() {
  rescale_->handoff = handoff_sources();
  checkpointer_->after_next_checkpoint(
      [this](std::int64_t completed) { drop_handoff_copies_before(completed); });
  const auto before = std::exchange(setup_.plan, rescale_->plan);
  const auto& plan = *setup_.plan;
  const auto n = subtask_count(plan);
  auto& d = deployment_;
  ++d.attempt;
  ++d.generation;
  std::vector<caf::actor> subtasks(n);
  std::vector<subtask_location> locations(n);
  std::vector<bool> kept(n, false);
  std::size_t kept_count = 0;
  for (const auto& v : plan.vertices()) {
    if (!rescale_->kept_vertices[static_cast<std::size_t>(v.id)])
      continue;
    for (int i = 0; i < v.parallelism; ++i) {
      const auto from = flat_subtask_index(*before, v.id, i);
      const auto to = flat_subtask_index(plan, v.id, i);
      subtasks[to] = std::move(d.subtasks[from]);
      locations[to] = std::move(d.locations[from]);
      kept[to] = true;
      ++kept_count;
    }
  }
  d.subtasks = std::move(subtasks);
  d.locations = std::move(locations);
  d.finished.assign(n, false);
  d.deployed = kept_count;
  d.done = 0;
  metrics_.subtasks.assign(n, {});
  rescale_->kept_subtasks = std::move(kept);
  checkpointer_->rescaled();
  log()->info("[{}] deploying {} subtasks at the new parallelism, keeping {} in place\n{}",
              setup_.job_name, n - kept_count, kept_count, plan.describe());
  deploy(checkpointer_->restore_on_restart());
}

void job_manager::rewire_kept(const start_msg& wiring) {
  auto& d = deployment_;
  const auto attempt = d.attempt;
  const auto& kept = rescale_->kept_subtasks;
  rewire_msg msg{rescaled_parallelism(), setup_.plan->fingerprint(), d.generation, wiring};
  auto pending = std::make_shared<std::size_t>(std::count(kept.begin(), kept.end(), true));
  const auto timeout = std::chrono::milliseconds(setup_.config->cluster.registration_timeout_ms);
  std::size_t i = 0;
  for (const auto& v : setup_.plan->vertices())
    for (int s = 0; s < v.parallelism; ++s, ++i) {
      if (!kept[i])
        continue;
      request(d.subtasks[i], timeout, msg)
          .then(
              [this, attempt, pending, wiring](rewired_atom) {
                if (deployment_.attempt != attempt || !rescale_ || --*pending > 0)
                  return;
                // Every kept subtask takes the new wiring before anything of it is sent.
                const auto& subs = deployment_.subtasks;
                for (std::size_t k = 0; k < subs.size(); ++k) {
                  if (rescale_->kept_subtasks[k])
                    send(subs[k], resume_subtask_atom::value);
                  else
                    send(subs[k], wiring);
                }
                on_all_started(attempt);
              },
              [this, attempt, name = task_name(setup_, v.id, s)](caf::error& e) {
                if (deployment_.attempt == attempt)
                  fail("rewiring " + name + " for the rescale failed: " + error_text(e));
              });
    }
}

void job_manager::finish_rescale(std::optional<std::string> failure) {
  if (failure && !rescale_->stopped) // the subtasks stay: what they prepared goes
    send_to_replaced([&](const plan_vertex&, const caf::actor& sub) {
      send(sub, prepare_handoff_msg{rescale_->id, 0});
    });
  auto r = std::move(*rescale_);
  rescale_.reset();
  checkpointer_->rescale_finished();
  if (failure) {
    log()->warn("[{}] no rescale: {}", setup_.job_name, *failure);
    r.promise.deliver(caf::make_error(caf::sec::runtime_error, "no rescale of job '" +
                                                                   setup_.job_name + "': " +
                                                                   *failure));
    return;
  }
  log()->info("[{}] rescaled: {}", setup_.job_name, r.changes);
  r.promise.deliver("job '" + setup_.job_name + "' rescaled: " + r.changes);
}

} // namespace sluice
