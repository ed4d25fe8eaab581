#include "job_manager.hpp"

#include "caf_error_text.hpp"
#include "job_queries.hpp"
#include "job_reports.hpp"
#include "slot_placement.hpp"

#include "sluice/actors/checkpoint_ids.hpp"
#include "sluice/operators/core/logging.hpp"

namespace sluice {

std::string task_name(const job_manager_setup& setup, int vertex, int subtask) {
  const auto& v = setup.plan->vertices().at(static_cast<std::size_t>(vertex));
  return v.name + " (" + std::to_string(subtask + 1) + "/" + std::to_string(v.parallelism) + ")";
}

std::size_t subtask_count(const execution_plan& plan) {
  std::size_t n = 0;
  for (const auto& v : plan.vertices())
    n += static_cast<std::size_t>(v.parallelism);
  return n;
}

std::int64_t steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::size_t flat_subtask_index(const execution_plan& plan, int vertex, int subtask) {
  std::size_t offset = 0;
  for (int v = 0; v < vertex; ++v)
    offset += static_cast<std::size_t>(plan.vertices()[static_cast<std::size_t>(v)].parallelism);
  return offset + static_cast<std::size_t>(subtask);
}

job_manager::job_manager(caf::actor_config& cfg, job_manager_setup setup)
    : caf::event_based_actor(cfg),
      setup_(std::move(setup)),
      initial_plan_(setup_.plan),
      task_managers_(*this, setup_, deployment_),
      restarts_(*this, setup_, deployment_) {
  publish_on_exit();
}

void job_manager::publish_on_exit() {
  attach_functor([result = result_, status = setup_.status](const caf::error& reason) {
    status->complete(*result ? std::move(**result)
                             : job_result::failure("the job manager stopped: " + error_text(reason)));
  });
}

caf::behavior job_manager::make_behavior() {
  const auto& plan = *setup_.plan;
  const auto subtasks = subtask_count(plan);
  deployment_.started_at = std::chrono::steady_clock::now();
  deployment_.subtasks.resize(subtasks);
  deployment_.locations.resize(subtasks);
  deployment_.finished.assign(subtasks, false);
  metrics_.start_time_ms = wall_clock_ms();
  metrics_.subtasks.resize(subtasks);
  try {
    initial_restore_ = resolve_initial_restore(setup_);
    if (setup_.config->checkpointing.enabled())
      start_checkpointer();
  } catch (const std::exception& e) {
    end(job_result::failure(e.what()));
    return {};
  }
  if (setup_.local_task_manager)
    task_managers_.add_local(*setup_.local_task_manager);
  set_down_handler([this](caf::down_msg& dm) { on_down(dm); });
  maybe_start();
  if (setup_.config->metrics_interval_ms > 0)
    send(this, metrics_tick_atom::value);
  return {
      // -- the subtasks and the restarts --
      [this](const subtask_done_msg& msg) { on_subtask_done(msg); },
      [this](const subtask_failed_msg& msg) { on_subtask_failed(msg); },
      [this](restart_atom, int attempt) { on_restart_due(attempt); },
      // -- the checkpointer --
      [this](checkpoint_tick_atom, std::int64_t due_ms) {
        if (checkpointer_)
          checkpointer_->on_tick(due_ms);
      },
      [this](checkpoint_ack_msg& msg) {
        if (checkpointer_)
          checkpointer_->on_ack(msg);
      },
      [this](const checkpoint_decline_msg& msg) {
        if (checkpointer_)
          checkpointer_->on_decline(msg);
      },
      [this](const input_finished_msg& msg) {
        if (checkpointer_)
          checkpointer_->on_input_finished(msg);
      },
      [this](const savepoint_request_msg& msg) { return on_savepoint_request(msg); },
      [this](const rescale_request_msg& msg) { return on_rescale_request(msg); },
      [this](const handoff_prepared_msg& msg) { on_handoff_prepared(msg); },
      [this](prepare_timeout_atom, std::int64_t rescale) { on_prepare_timeout(rescale); },
      // -- the task managers --
      [this](const register_task_manager_msg& msg) { return task_managers_.on_register(msg); },
      [this](task_manager_ready_atom) { on_task_manager_ready(); },
      [this](slots_timeout_atom) { on_slots_timeout(); },
      // -- the `sluice` tool and the REST API --
      [this](cancel_job_atom) { end(job_result::failure("job cancelled")); },
      [this](cancel_job_atom, const std::string& job) { return on_cancel_request(job); },
      [this](list_jobs_atom) { return on_list_jobs(view()); },
      [this](job_details_atom, const std::string& job) {
        return on_job_details(*this, view(), job);
      },
      [this](list_task_managers_atom) { return on_list_task_managers(view()); },
      [this](metrics_tick_atom) { on_metrics_tick(*this, view(), metrics_); },
      [this](rest_state_atom) { return job_state_document(view()); },
  };
}

void job_manager::on_exit() {
  checkpointer_.reset();
  task_managers_.release();
  restarts_.release();
  deployment_.subtasks.clear();
  setup_.local_task_manager.reset();
}

void job_manager::maybe_start() {
  auto& d = deployment_;
  if (d.ended || d.deployed_once || !task_managers_.enough_slots())
    return;
  d.deployed_once = true;
  d.started_at = std::chrono::steady_clock::now(); // the job's duration: not the wait for slots
  log()->info("[{}] deploying {} subtasks\n{}", setup_.job_name, d.subtasks.size(),
              setup_.plan->describe());
  deploy(initial_restore_);
}

void job_manager::maybe_redeploy() {
  if (deployment_.ended || !restarts_.due() || !task_managers_.enough_slots())
    return;
  restarts_.redeploying();
  std::string restore;
  if (checkpointer_)
    restore = checkpointer_->restart();
  else
    log()->warn("[{}] restarting from scratch (checkpointing is off)", setup_.job_name);
  deploy(restore);
}

void job_manager::deploy(const std::string& restore) {
  auto& d = deployment_;
  const auto attempt = d.attempt;
  d.restored_from = restore;
  const auto ready = task_managers_.ready();
  std::vector<int> offers;
  for (const auto* tm : ready)
    offers.push_back(tm->slots);
  const auto placement = place_slots(offers, setup_.plan->required_slots());
  const auto timeout = std::chrono::milliseconds(setup_.config->cluster.registration_timeout_ms);
  const auto parallelism = rescaled_parallelism();
  const auto fingerprint = setup_.plan->fingerprint();
  std::size_t index = 0;
  for (const auto& v : setup_.plan->vertices()) {
    for (int i = 0; i < v.parallelism; ++i, ++index) {
      if (kept_in_place(index))
        continue;
      const auto& slot = placement.at(static_cast<std::size_t>(i));
      const auto& tm = *ready[static_cast<std::size_t>(slot.task_manager)];
      d.locations[index] = subtask_location{tm.name, slot.slot, tm.data_address};
      metrics_.lost_task_managers.erase(tm.name);
      request(tm.actor, timeout,
              deploy_msg{v.id, i, slot.slot, restore, parallelism, fingerprint, d.generation,
                         rescale_ && rescale_->stopped ? rescale_->handoff
                                                       : std::vector<handoff_source>{}})
          .then(
              [this, attempt, index](caf::actor& a) {
                auto& s = deployment_;
                if (s.ended || s.attempt != attempt) {
                  send_exit(a, caf::exit_reason::user_shutdown);
                  return;
                }
                monitor(a);
                s.subtasks[index] = std::move(a);
                if (++s.deployed == s.subtasks.size())
                  start_deployed(attempt);
              },
              [this, attempt, name = v.name, i, tm_name = tm.name](caf::error& e) {
                if (deployment_.attempt == attempt)
                  fail("deploying '" + name + "' (" + std::to_string(i + 1) +
                       ") to task manager " + tm_name + " failed: " + error_text(e));
              });
    }
  }
}

std::vector<std::int32_t> job_manager::rescaled_parallelism() const {
  std::vector<std::int32_t> parallelism;
  if (setup_.plan != initial_plan_)
    for (int p : setup_.plan->node_parallelism())
      parallelism.push_back(p);
  return parallelism;
}

bool job_manager::kept_in_place(std::size_t index) const {
  return rescale_ && index < rescale_->kept_subtasks.size() && rescale_->kept_subtasks[index];
}

void job_manager::start_deployed(int attempt) {
  const auto& d = deployment_;
  std::vector<std::string> data_addresses;
  for (const auto& where : d.locations)
    data_addresses.push_back(where.data_address);
  start_msg wiring{d.subtasks, data_addresses};
  if (rescale_ && std::find(rescale_->kept_subtasks.begin(), rescale_->kept_subtasks.end(),
                            true) != rescale_->kept_subtasks.end()) {
    rewire_kept(wiring);
    return;
  }
  for (const auto& sub : d.subtasks)
    send(sub, wiring);
  on_all_started(attempt);
}

void job_manager::on_all_started(int attempt) {
  log()->info("[{}] all {} subtasks deployed and started (attempt {})", setup_.job_name,
              deployment_.subtasks.size(), attempt + 1);
  if (checkpointer_)
    checkpointer_->arm_tick();
  if (rescale_ && rescale_->stopped)
    finish_rescale(std::nullopt);
}

void job_manager::on_task_manager_ready() {
  task_managers_.on_ready();
  if (!deployment_.deployed_once)
    maybe_start();
  else
    maybe_redeploy();
}

void job_manager::on_slots_timeout() {
  if (auto why = task_managers_.on_slots_timeout())
    end(job_result::failure(*why));
}

void job_manager::on_subtask_done(const subtask_done_msg& msg) {
  if (rescale_ && rescale_->stopped) {
    on_rescale_closed(msg);
    return;
  }
  auto& d = deployment_;
  auto i = flat_subtask_index(*setup_.plan, msg.vertex, msg.subtask);
  if (d.restarting || d.finished[i])
    return;
  d.finished[i] = true;
  if (++d.done < d.subtasks.size()) {
    if (checkpointer_)
      checkpointer_->on_subtask_finished(msg.vertex, msg.subtask);
  } else {
    end(job_result{});
  }
}

void job_manager::on_subtask_failed(const subtask_failed_msg& msg) {
  const auto& d = deployment_;
  if (!msg.restoring.empty() && checkpointer_ && !d.ended && !d.restarting &&
      msg.restoring == checkpointer_->restore_on_restart()) {
    end(job_result::failure(msg.error + " (restoring '" + msg.restoring +
                            "'; not restarted: a restart would restore the same checkpoint)"));
    return;
  }
  fail(msg.error, {msg.vertex, msg.subtask});
}

void job_manager::on_down(const caf::down_msg& dm) {
  if (auto lost = task_managers_.on_down(dm)) {
    metrics_.lost_task_managers.insert(lost->name);
    if (lost->fails_job)
      fail(lost->cause);
    return;
  }
  if (restarts_.on_cancelled_down(dm)) {
    maybe_redeploy();
    return;
  }
  auto& d = deployment_;
  for (std::size_t i = 0; i < d.subtasks.size(); ++i) {
    if (d.subtasks[i] && d.subtasks[i].address() == dm.source && !d.finished[i]) {
      d.subtasks[i] = nullptr; // gone: not among the subtasks to cancel
      fail("a subtask stopped unexpectedly: " + system().render(dm.reason));
      return;
    }
  }
}

void job_manager::on_restart_due(int attempt) {
  if (restarts_.on_restart_due(attempt))
    maybe_redeploy();
}

caf::result<std::string> job_manager::on_savepoint_request(const savepoint_request_msg& msg) {
  auto promise = make_response_promise();
  if (!msg.job.empty() && !names_job(setup_, msg.job)) {
    promise.deliver(unknown_job(setup_, msg.job));
    return promise;
  }
  auto why = savepoint_refusal(setup_, deployment_, msg);
  if (why.empty() && checkpointer_)
    why = checkpointer_->savepoint_refusal();
  if (why.empty() && !checkpointer_) {
    try {
      start_checkpointer();
    } catch (const std::exception& e) {
      why = e.what();
    }
  }
  if (!why.empty()) {
    promise.deliver(caf::make_error(caf::sec::runtime_error,
                                    "no savepoint of job '" + setup_.job_name + "': " + why));
    return promise;
  }
  checkpointer_->request_savepoint(msg, promise);
  return promise;
}

caf::result<std::string> job_manager::on_cancel_request(const std::string& job) {
  if (!names_job(setup_, job))
    return unknown_job(setup_, job);
  auto promise = make_response_promise();
  promise.deliver(job_id_of(setup_.job_name));
  end(job_result::failure("job cancelled"));
  return promise;
}

void job_manager::fail(const std::string& cause, std::pair<int, int> task) {
  if (deployment_.ended || deployment_.restarting)
    return;
  if (rescale_)
    finish_rescale("the job failed during the rescale (" + cause +
                   "); it restarts from its latest checkpoint");
  metrics_.add_failure(job_failure_record{wall_clock_ms(), cause, task.first, task.second});
  if (!restarts_.restart(cause)) {
    end(job_result::failure(cause));
    return;
  }
  if (checkpointer_)
    checkpointer_->forget_finished_inputs();
}

void job_manager::end(job_result result) {
  auto& d = deployment_;
  if (d.ended)
    return;
  d.ended = true;
  if (rescale_)
    finish_rescale(result.ok() ? std::string("the job finished")
                               : "the job failed: " + result.error());
  for (std::size_t i = 0; i < d.subtasks.size(); ++i)
    if (d.subtasks[i] && !d.finished[i])
      send_exit(d.subtasks[i], caf::exit_reason::user_shutdown);
  task_managers_.stop_all();
  if (checkpointer_)
    checkpointer_->fail_savepoints(
        result.ok() ? "the job finished" : "the job failed: " + result.error(), true);
  result.duration = std::chrono::steady_clock::now() - d.started_at;
  if (result.ok())
    log()->info("job '{}' finished in {} ms", setup_.job_name,
                std::chrono::duration_cast<std::chrono::milliseconds>(result.duration).count());
  *result_ = std::move(result);
  d.subtasks.clear();
  quit();
}

void job_manager::start_checkpointer() {
  checkpointer_.emplace(*this, setup_, deployment_, initial_restore_,
                        [this](const std::string& cause) { fail(cause); });
}

job_view job_manager::view() const {
  return {setup_, deployment_, task_managers_.entries(), metrics_,
          checkpointer_ ? checkpointer_->view() : checkpoints_view{}};
}

} // namespace sluice
