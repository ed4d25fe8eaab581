// The savepoints of job_checkpointer.hpp: checkpoints with a target directory and a stop/drain
// flag, asked for by clients.

#include "job_checkpointer.hpp"

#include "sluice/actors/checkpoint_ids.hpp"
#include "sluice/checkpoint/checkpoint_error.hpp"
#include "sluice/operators/core/logging.hpp"

#include <algorithm>

namespace sluice {

namespace fs = std::filesystem;

namespace {

caf::error savepoint_error(const std::string& text) {
  return caf::make_error(caf::sec::runtime_error, text);
}

/// Without checkpointing, a finished subtask quits: it cannot take part in a savepoint.
bool subtasks_quit(const job_manager_setup& setup, const job_deployment& deployment) {
  return !setup.config->checkpointing.enabled() && deployment.done > 0;
}

const char* const quit_reason =
    "some subtasks finished their input and quit (without --checkpoint-interval-ms finished "
    "subtasks cannot take part in a savepoint)";

} // namespace

std::string savepoint_refusal(const job_manager_setup& setup, const job_deployment& deployment,
                              const savepoint_request_msg& msg) {
  if (msg.dir.empty() && setup.config->checkpointing.savepoint_dir.empty())
    return "no savepoint directory: name one in the request or start the job with "
           "--savepoint-dir";
  if (msg.drain && !msg.stop)
    return "drain applies to stop with savepoint only";
  if (deployment.ended)
    return "the job is not running";
  if (subtasks_quit(setup, deployment))
    return quit_reason;
  return {};
}

void job_checkpointer::savepoint_order::answer(const std::string& dir,
                                              std::optional<std::string> failure) {
  if (rescale_done)
    rescale_done(std::move(failure));
  else if (failure)
    promise.deliver(savepoint_error(*failure));
  else
    promise.deliver(dir);
}

std::string job_checkpointer::savepoint_refusal() const {
  if (final_id_)
    return "the job is finishing (its final checkpoint is in progress)";
  if (stopping())
    return "the job is being stopped with a savepoint already";
  return {};
}

bool job_checkpointer::stopping() const {
  if (stopped_)
    return true;
  for (const auto& order : waiting_savepoints_)
    if (order.stop)
      return true;
  for (const auto& [id, t] : running_savepoints_)
    if (t.order.stop)
      return true;
  return false;
}

std::optional<fs::path> job_checkpointer::savepoint_dir(std::int64_t id) const {
  auto it = running_savepoints_.find(id);
  if (it == running_savepoints_.end() || it->second.order.rescale_done)
    return std::nullopt;
  return it->second.dir;
}

bool job_checkpointer::stops_for_rescale(std::int64_t id) const {
  auto it = running_savepoints_.find(id);
  return it != running_savepoints_.end() && it->second.order.rescale_done;
}

void job_checkpointer::request_savepoint(const savepoint_request_msg& msg,
                                         caf::response_promise promise) {
  const fs::path parent = msg.dir.empty() ? setup_.config->checkpointing.savepoint_dir : msg.dir;
  savepoint_order order;
  order.parent = parent;
  order.stop = msg.stop;
  order.drain = msg.drain;
  order.promise = std::move(promise);
  waiting_savepoints_.push_back(std::move(order));
  maybe_trigger_savepoint();
  arm_tick();
}

void job_checkpointer::maybe_trigger_savepoint() {
  if (deployment_.ended || deployment_.restarting || !deployment_.all_deployed())
    return;
  if (waiting_savepoints_.empty() || !core_.pending_ids().empty() || final_id_)
    return;
  if (subtasks_quit(setup_, deployment_)) {
    fail_savepoints(quit_reason, true);
    return;
  }
  auto order = std::move(waiting_savepoints_.front());
  waiting_savepoints_.pop_front();
  const bool rescale = static_cast<bool>(order.rescale_done);
  fs::path dir;
  try {
    if (rescale)
      storage_->create_pending(core_.next_checkpoint_id());
    else
      dir = create_savepoint_dir(order.parent, job_id_of(setup_.job_name),
                                 core_.next_checkpoint_id());
  } catch (const checkpoint_error& e) {
    order.answer({}, e.what());
    return;
  }
  const auto now = wall_clock_ms();
  const auto id = core_.trigger(now, rescale ? snapshot_kind::checkpoint : snapshot_kind::savepoint);
  if (rescale)
    log()->info("[{}] checkpoint {} stops the job for a rescale", setup_.job_name, id);
  else
    log()->info("[{}] {}savepoint {} into {}", setup_.job_name,
                order.stop ? (order.drain ? "stop (drain) with " : "stop with ") : "", id,
                dir.string());
  const auto& subtasks = deployment_.subtasks;
  std::size_t others = 0;
  for (std::size_t i = 0; i < subtasks.size(); ++i)
    others += is_source_[i] ? 0 : 1;
  running_savepoints_[id] = {std::move(order), dir, others + 1};
  // Every other subtask learns the directory before any barrier of `id` can reach it.
  const auto timeout = std::chrono::milliseconds(core_.config().timeout_ms);
  std::size_t index = 0;
  for (const auto& v : setup_.plan->vertices()) {
    for (int i = 0; i < v.parallelism; ++i, ++index) {
      if (is_source_[index])
        continue;
      self_.request(subtasks[index], timeout, trigger_message(id, now, v.id))
          .then([=] { on_announced(id); },
                [=](caf::error& e) {
                  if (deployment_.ended)
                    return;
                  if (auto f = core_.abort(id, failure_reason::declined,
                                           task_name(setup_, v.id, i) +
                                               " did not take the savepoint's directory: " +
                                               self_.system().render(e),
                                           wall_clock_ms()))
                    on_failure(*f);
                });
    }
  }
  on_announced(id);
}

void job_checkpointer::on_announced(std::int64_t id) {
  if (deployment_.ended)
    return;
  auto it = running_savepoints_.find(id);
  if (it == running_savepoints_.end() || --it->second.unannounced > 0)
    return;
  const auto trigger_ms = core_.pending_stats(id)->trigger_ms;
  std::size_t index = 0;
  for (const auto& v : setup_.plan->vertices())
    for (int i = 0; i < v.parallelism; ++i, ++index)
      if (is_source_[index])
        self_.send(deployment_.subtasks[index], trigger_message(id, trigger_ms, v.id));
}

trigger_checkpoint_msg job_checkpointer::trigger_message(std::int64_t id,
                                                         std::int64_t trigger_ms,
                                                         int vertex) const {
  trigger_checkpoint_msg msg{id, trigger_ms, {}, false, false, false};
  auto it = running_savepoints_.find(id);
  if (it != running_savepoints_.end()) {
    const auto& order = it->second.order;
    msg.target_dir = it->second.dir.string(); // "" for a rescale's stop: the job's chk-N
    msg.stop = order.stop;
    msg.drain = order.drain;
    msg.full = static_cast<std::size_t>(vertex) < order.replaced.size() &&
               order.replaced[static_cast<std::size_t>(vertex)];
  }
  return msg;
}

void job_checkpointer::on_savepoint_completed(std::int64_t id) {
  auto it = running_savepoints_.find(id);
  if (it == running_savepoints_.end())
    return;
  auto t = std::move(it->second);
  running_savepoints_.erase(it);
  if (t.order.stop) {
    stopped_ = true;
    stopped_for_rescale_ = static_cast<bool>(t.order.rescale_done);
    if (!stopped_for_rescale_) // a rescale closes only the subtasks it replaces (answer)
      broadcast(close_subtask_atom::value);
  }
  t.order.answer(t.dir.string(), std::nullopt);
}

void job_checkpointer::on_savepoint_failed(std::int64_t id, const std::string& reason) {
  auto it = running_savepoints_.find(id);
  if (it == running_savepoints_.end())
    return;
  auto order = std::move(it->second.order);
  running_savepoints_.erase(it);
  order.answer({}, (order.rescale_done ? "checkpoint " : "savepoint ") + std::to_string(id) +
                       " failed (" + reason + ")" + (order.stop ? "; the job goes on" : ""));
}

void job_checkpointer::fail_savepoints(const std::string& reason, bool waiting_too) {
  auto running = std::move(running_savepoints_);
  running_savepoints_.clear();
  for (auto& [id, t] : running)
    t.order.answer({}, (t.order.rescale_done ? "checkpoint " : "savepoint ") +
                           std::to_string(id) + " failed: " + reason);
  if (!waiting_too)
    return;
  auto waiting = std::move(waiting_savepoints_);
  waiting_savepoints_.clear();
  for (auto& order : waiting)
    order.answer({}, (order.rescale_done ? "no rescale: " : "no savepoint: ") + reason);
}

void job_checkpointer::fail_waiting_rescale(const std::string& reason) {
  const auto rescale =
      std::find_if(waiting_savepoints_.begin(), waiting_savepoints_.end(),
                   [](const savepoint_order& o) { return static_cast<bool>(o.rescale_done); });
  if (rescale == waiting_savepoints_.end())
    return;
  auto order = std::move(*rescale);
  waiting_savepoints_.erase(rescale);
  order.answer({}, reason);
}

void job_checkpointer::request_rescale_stop(
    std::vector<bool> replaced, std::function<void(std::optional<std::string> failure)> done) {
  savepoint_order order;
  order.stop = true;
  order.rescale_done = std::move(done);
  order.replaced = std::move(replaced);
  waiting_savepoints_.push_back(std::move(order));
  maybe_trigger_savepoint();
  arm_tick();
}

std::string job_checkpointer::rescale_refusal() const {
  if (!storage_)
    return "the job has no --checkpoint-dir (a rescale stops the job at a checkpoint of it)";
  if (final_id_)
    return "the job is finishing (its final checkpoint is in progress)";
  if (stopping())
    return "the job is being stopped (with a savepoint, or for a rescale) already";
  return {};
}

void job_checkpointer::on_subtask_finished(int vertex, int subtask) {
  if (setup_.config->checkpointing.enabled())
    return;
  for (auto id : core_.pending_ids())
    if (auto f = core_.abort(id, failure_reason::declined,
                             task_name(setup_, vertex, subtask) +
                                 " finished its input and quit (without "
                                 "--checkpoint-interval-ms finished subtasks cannot take part "
                                 "in a savepoint)",
                             wall_clock_ms()))
      on_failure(*f);
}

} // namespace sluice
