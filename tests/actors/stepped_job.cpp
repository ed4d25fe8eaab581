#include "stepped_job.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>

namespace sluice::test {

namespace {

caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
  register_messages(cfg);
  cfg.set("scheduler.policy", caf::atom("testing"));
  return cfg;
}

} // namespace

stepped_job::stepped_job(std::shared_ptr<const execution_plan> plan, const job_config& config,
                         const std::string& name, std::function<std::int64_t()> clock)
    : sys_(testing_config(cfg_)),
      sched_(dynamic_cast<caf::scheduler::test_coordinator&>(sys_.scheduler())),
      job_manager_(std::make_unique<caf::scoped_actor>(sys_)) {
  const auto shared_config = std::make_shared<const job_config>(config);
  const auto me = caf::actor_cast<caf::actor>(*job_manager_);
  for (const auto& v : plan->vertices()) {
    REQUIRE(v.parallelism == 1);
    counters_.push_back(std::make_shared<subtask_counters>());
    subtasks_.push_back(sys_.spawn<subtask_actor>(
        subtask_setup{plan, shared_config, name, v.id, 0, me, counters_.back(), "", clock, nullptr}));
  }
  run(); // their first run initializes them
}

stepped_job::~stepped_job() {
  for (const auto& s : subtasks_)
    caf::anon_send_exit(s, caf::exit_reason::kill);
  while (sched_.try_run_once()) {
  }
  subtasks_.clear();
  job_manager_.reset();
}

void stepped_job::start() {
  for (const auto& s : subtasks_)
    (*job_manager_)->send(s, start_msg{subtasks_, {}});
}

caf::scheduled_actor& stepped_job::actor(int i) const {
  return dynamic_cast<caf::scheduled_actor&>(
      *caf::actor_cast<caf::abstract_actor*>(subtasks_.at(static_cast<std::size_t>(i))));
}

bool stepped_job::has_messages(int i) const {
  auto* job = dynamic_cast<caf::resumable*>(&actor(i));
  return std::find(sched_.jobs.begin(), sched_.jobs.end(), job) != sched_.jobs.end();
}

bool stepped_job::step(int i) {
  if (!sched_.prioritize(subtasks_.at(static_cast<std::size_t>(i))))
    return false;
  // Only an actor in the job queue may have its mailbox read: an idle one's is blocked.
  if (const auto* next = actor(i).mailbox().peek())
    record(i, *next);
  sched_.run_once();
  if (after_step)
    after_step();
  return true;
}

std::size_t stepped_job::run(const std::set<int>& held, const std::function<bool()>& until) {
  std::size_t n = 0;
  for (;;) {
    int next = -1;
    for (auto* job : sched_.jobs) {
      for (int i = 0; i < subtasks() && next < 0; ++i)
        if (held.count(i) == 0 && job == dynamic_cast<caf::resumable*>(&actor(i)))
          next = i;
      if (next >= 0)
        break;
    }
    if (next < 0)
      return n;
    step(next);
    ++n;
    if (until && until())
      return n;
  }
}

int stepped_job::queued_batches(int from, int to) {
  if (!has_messages(to))
    return 0;
  auto& mailbox = actor(to).mailbox();
  mailbox.fetch_more();
  int n = 0;
  mailbox.queue().peek_all([&](const caf::mailbox_element& x) {
    n += index_of(x.sender) == from && x.content().match_elements<batch_msg>();
  });
  return n;
}

int stepped_job::index_of(const caf::strong_actor_ptr& sender) const {
  for (int i = 0; i < subtasks(); ++i)
    if (sender == caf::actor_cast<caf::strong_actor_ptr>(subtasks_[static_cast<std::size_t>(i)]))
      return i;
  return -1;
}

void stepped_job::record(int to, const caf::mailbox_element& x) {
  delivery d;
  d.to = to;
  d.from = index_of(x.sender);
  if (d.from == to)
    d.from = -1;
  const auto& content = x.content();
  if (content.match_elements<batch_msg>()) {
    const auto& m = content.get_as<batch_msg>(0);
    d.what = delivery::kind::batch;
    d.channel = m.channel;
    d.value = m.records;
  } else if (content.match_elements<event_msg>()) {
    const auto& m = content.get_as<event_msg>(0);
    d.what = delivery::kind::event;
    d.channel = m.channel;
    d.event = static_cast<event_kind>(m.kind);
    d.value = m.value;
  } else if (content.match_elements<credit_msg>()) {
    const auto& m = content.get_as<credit_msg>(0);
    d.what = delivery::kind::credit;
    d.channel = m.channel;
    d.value = m.credits;
  } else if (content.match_elements<wakeup_atom, std::int64_t>()) {
    d.what = delivery::kind::wakeup;
    d.value = content.get_as<std::int64_t>(1);
  }
  deliveries_.push_back(d);
}

const job_manager_inbox& stepped_job::inbox() {
  auto& self = *job_manager_;
  while (!self->mailbox().empty())
    self->receive([&](input_finished_msg& m) { inbox_.input_finished.push_back(m); },
                  [&](subtask_done_msg& m) { inbox_.done.push_back(m); },
                  [&](subtask_failed_msg& m) { inbox_.failed.push_back(m); },
                  [&](checkpoint_ack_msg& m) { inbox_.acks.push_back(std::move(m)); },
                  [&](checkpoint_decline_msg& m) { inbox_.declines.push_back(m); });
  return inbox_;
}

void stepped_job::await_snapshot_writers() {
  // Once the writers ended, only the job manager and the subtasks not ended yet run.
  const auto& ended = inbox();
  sys_.registry().await_running_count_equal(1 + subtasks_.size() - ended.done.size() -
                                            ended.failed.size());
}

} // namespace sluice::test
