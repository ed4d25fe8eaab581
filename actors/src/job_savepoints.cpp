#include "job_savepoints.hpp"

#include "job_checkpoints.hpp"
#include "job_queries.hpp"

#include "sluice/actors/checkpoint_names.hpp"
#include "sluice/checkpoint/checkpoint_error.hpp"
#include "sluice/operators/logging.hpp"

namespace sluice {

namespace fs = std::filesystem;

bool job_savepoints::stopping() const {
  if (stopped)
    return true;
  for (const auto& order : waiting)
    if (order.stop)
      return true;
  for (const auto& [id, t] : running)
    if (t.order.stop)
      return true;
  return false;
}

std::optional<fs::path> job_savepoints::dir_of(std::int64_t id) const {
  auto it = running.find(id);
  if (it == running.end())
    return std::nullopt;
  return it->second.dir;
}

namespace {

caf::error savepoint_error(const std::string& text) {
  return caf::make_error(caf::sec::runtime_error, text);
}

/// "name (i/n)" of a subtask.
std::string task_name(const job_manager_setup& setup, int vertex, int subtask) {
  const auto& v = setup.plan->vertices().at(static_cast<std::size_t>(vertex));
  return v.name + " (" + std::to_string(subtask + 1) + "/" + std::to_string(v.parallelism) + ")";
}

/// Without checkpointing, a finished subtask quits: it cannot take part in a savepoint.
bool subtasks_quit(jm_actor self, const job_manager_setup& setup) {
  return !setup.config->checkpointing.enabled() && self->state.done > 0;
}

const char* const quit_reason =
    "some subtasks finished their input and quit (without --checkpoint-interval-ms finished "
    "subtasks cannot take part in a savepoint)";

/// Why no savepoint can be taken for `msg` now, or "".
std::string refusal(jm_actor self, const job_manager_setup& setup,
                    const savepoint_request_msg& msg) {
  const auto& st = self->state;
  if (msg.dir.empty() && setup.config->checkpointing.savepoint_dir.empty())
    return "no savepoint directory: name one in the request or start the job with "
           "--savepoint-dir";
  if (msg.drain && !msg.stop)
    return "drain applies to stop with savepoint only";
  if (st.ended)
    return "the job is not running";
  if (subtasks_quit(self, setup))
    return quit_reason;
  if (st.checkpointing && st.checkpointing->final_id)
    return "the job is finishing (its final checkpoint is in progress)";
  if (st.checkpointing && st.checkpointing->savepoints.stopping())
    return "the job is being stopped with a savepoint already";
  return {};
}

/// Every subtask but the sources knows savepoint `id`'s directory: triggers the sources.
void on_announced(jm_actor self, std::int64_t id) {
  auto& st = self->state;
  if (st.ended || !st.checkpointing)
    return;
  auto& ck = *st.checkpointing;
  auto it = ck.savepoints.running.find(id);
  if (it == ck.savepoints.running.end() || --it->second.unannounced > 0)
    return;
  const auto msg = trigger_message(self, id, ck.core.pending_stats(id)->trigger_ms);
  for (std::size_t i = 0; i < st.subtasks.size(); ++i)
    if (ck.is_source[i])
      self->send(st.subtasks[i], msg);
}

} // namespace

caf::response_promise on_savepoint_request(jm_actor self, const job_manager_setup& setup,
                                           const savepoint_request_msg& msg) {
  auto promise = self->make_response_promise();
  if (!msg.job.empty() && !names_job(setup, msg.job)) {
    promise.deliver(unknown_job(setup, msg.job));
    return promise;
  }
  auto& st = self->state;
  auto why = refusal(self, setup, msg);
  if (why.empty() && !st.checkpointing) {
    try {
      st.checkpointing = std::make_shared<job_checkpointing>(setup, st.initial_restore);
    } catch (const std::exception& e) {
      why = e.what();
    }
  }
  if (!why.empty()) {
    promise.deliver(savepoint_error("no savepoint of job '" + setup.job_name + "': " + why));
    return promise;
  }
  const fs::path parent = msg.dir.empty() ? setup.config->checkpointing.savepoint_dir : msg.dir;
  st.checkpointing->savepoints.waiting.push_back({parent, msg.stop, msg.drain, promise});
  maybe_trigger_savepoint(self, setup);
  arm_checkpoint_tick(self);
  return promise;
}

void maybe_trigger_savepoint(jm_actor self, const job_manager_setup& setup) {
  auto& st = self->state;
  if (st.ended || !st.checkpointing || st.restarting || st.deployed < st.subtasks.size())
    return;
  auto& ck = *st.checkpointing;
  auto& sp = ck.savepoints;
  if (sp.waiting.empty() || !ck.core.pending_ids().empty() || ck.final_id)
    return;
  if (subtasks_quit(self, setup)) {
    fail_savepoints(self, quit_reason, true);
    return;
  }
  auto order = std::move(sp.waiting.front());
  sp.waiting.pop_front();
  fs::path dir;
  try {
    dir = create_savepoint_dir(order.parent, job_id_of(setup.job_name),
                               ck.core.next_checkpoint_id());
  } catch (const checkpoint_error& e) {
    order.promise.deliver(savepoint_error(e.what()));
    return;
  }
  const auto now = wall_clock_ms();
  const auto id = ck.core.trigger(now, snapshot_kind::savepoint);
  log()->info("[{}] {}savepoint {} into {}", setup.job_name,
              order.stop ? (order.drain ? "stop (drain) with " : "stop with ") : "", id,
              dir.string());
  std::size_t others = 0;
  for (std::size_t i = 0; i < st.subtasks.size(); ++i)
    others += ck.is_source[i] ? 0 : 1;
  sp.running[id] = {std::move(order), dir, others + 1};
  // Every other subtask learns the directory before any barrier of `id` can reach it.
  const auto msg = trigger_message(self, id, now);
  const auto timeout = std::chrono::milliseconds(ck.core.config().timeout_ms);
  std::size_t index = 0;
  for (const auto& v : setup.plan->vertices()) {
    for (int i = 0; i < v.parallelism; ++i, ++index) {
      if (ck.is_source[index])
        continue;
      self->request(st.subtasks[index], timeout, msg)
          .then([=] { on_announced(self, id); },
                [=](caf::error& e) {
                  auto& s = self->state;
                  if (s.ended || !s.checkpointing)
                    return;
                  if (auto f = s.checkpointing->core.abort(
                          id, failure_reason::declined,
                          task_name(setup, v.id, i) + " did not take the savepoint's directory: " +
                              self->system().render(e),
                          wall_clock_ms()))
                    on_checkpoint_failure(self, setup, *f);
                });
    }
  }
  on_announced(self, id);
}

trigger_checkpoint_msg trigger_message(jm_actor self, std::int64_t id, std::int64_t trigger_ms) {
  trigger_checkpoint_msg msg{id, trigger_ms, {}, false, false};
  const auto& running = self->state.checkpointing->savepoints.running;
  auto it = running.find(id);
  if (it != running.end()) {
    msg.target_dir = it->second.dir.string();
    msg.stop = it->second.order.stop;
    msg.drain = it->second.order.drain;
  }
  return msg;
}

void on_savepoint_completed(jm_actor self, std::int64_t id) {
  auto& st = self->state;
  auto& sp = st.checkpointing->savepoints;
  auto it = sp.running.find(id);
  if (it == sp.running.end())
    return;
  auto t = std::move(it->second);
  sp.running.erase(it);
  t.order.promise.deliver(t.dir.string());
  if (!t.order.stop)
    return;
  sp.stopped = true;
  for (const auto& sub : st.subtasks)
    if (sub)
      self->send(sub, close_subtask_atom::value);
}

void on_savepoint_failed(jm_actor self, std::int64_t id, const std::string& reason) {
  auto& sp = self->state.checkpointing->savepoints;
  auto it = sp.running.find(id);
  if (it == sp.running.end())
    return;
  it->second.order.promise.deliver(
      savepoint_error("savepoint " + std::to_string(id) + " failed (" + reason + ")" +
                      (it->second.order.stop ? "; the job goes on" : "")));
  sp.running.erase(it);
}

void fail_savepoints(jm_actor self, const std::string& reason, bool waiting_too) {
  auto& sp = self->state.checkpointing->savepoints;
  for (auto& [id, t] : sp.running)
    t.order.promise.deliver(
        savepoint_error("savepoint " + std::to_string(id) + " failed: " + reason));
  sp.running.clear();
  if (!waiting_too)
    return;
  for (auto& order : sp.waiting)
    order.promise.deliver(savepoint_error("no savepoint: " + reason));
  sp.waiting.clear();
}

void on_subtask_finished(jm_actor self, const job_manager_setup& setup, int vertex, int subtask) {
  auto& st = self->state;
  if (!st.checkpointing || setup.config->checkpointing.enabled())
    return;
  for (auto id : st.checkpointing->core.pending_ids())
    if (auto f = st.checkpointing->core.abort(
            id, failure_reason::declined,
            task_name(setup, vertex, subtask) + " finished its input and quit (without "
                                                "--checkpoint-interval-ms finished subtasks "
                                                "cannot take part in a savepoint)",
            wall_clock_ms()))
      on_checkpoint_failure(self, setup, *f);
}

} // namespace sluice
