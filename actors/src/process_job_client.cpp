#include "process_job_client.hpp"

#include "error_text.hpp"

#include "sluice/checkpoint/checkpoint_error.hpp"

#include "sluice/operators/logging.hpp"

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

namespace sluice {

void release_thread_logger() { caf::logger::set_current_actor_system(nullptr); }

process_job_client::process_job_client(const job_config& config, bool networked)
    : directories_(config), caf_config_(config, networked),
      system_(std::make_unique<caf::actor_system>(caf_config_)),
      savepoint_timeout_(config.checkpointing.timeout_ms + 10000), networked_(networked) {}

process_job_client::~process_job_client() {
  if (system_ && main_) {
    cancel();
    wait();
  }
}

namespace {

/// How long a cluster process waits for its actor system to shut down after its job ended.
constexpr auto shutdown_grace = std::chrono::seconds(10);

/// Runs `shut_down`; if it takes longer than shutdown_grace, ends the process with `exit_code`.
/// A peer process that vanished without closing its connection (a network partition) can keep
/// references to this process's actors that CAF's shutdown waits for, without end.
template <class F>
void shut_down_within_grace(F&& shut_down, int exit_code) {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  std::thread watchdog([&] {
    std::unique_lock<std::mutex> lock(mutex);
    if (!done_cv.wait_for(lock, shutdown_grace, [&] { return done; })) {
      log()->error("the actor system did not shut down within {} s: exiting",
                   shutdown_grace.count());
      std::cout.flush();
      std::fflush(nullptr);
      std::_Exit(exit_code);
    }
  });
  shut_down();
  {
    std::lock_guard<std::mutex> guard(mutex);
    done = true;
  }
  done_cv.notify_all();
  watchdog.join();
}

} // namespace

job_result process_job_client::wait() {
  auto result = status_->wait();
  if (system_) {
    main_ = nullptr;
    if (networked_)
      shut_down_within_grace([&] { system_.reset(); }, result.exit_code());
    else
      system_.reset();
  }
  result.metrics = status_->metrics();
  return result;
}

void process_job_client::cancel() {
  if (main_)
    caf::anon_send(main_, cancel_job_atom::value);
}

std::string process_job_client::trigger_savepoint(const std::string& dir) {
  return request_savepoint(savepoint_request_msg{dir, false, false, ""});
}

std::string process_job_client::stop_with_savepoint(const std::string& dir, bool drain) {
  return request_savepoint(savepoint_request_msg{dir, true, drain, ""});
}

std::string process_job_client::request_savepoint(const savepoint_request_msg& msg) {
  if (!system_ || !main_)
    throw checkpoint_error("no savepoint: the job is not running");
  std::string out;
  std::optional<std::string> error;
  {
    caf::scoped_actor self{*system_};
    self->request(main_, savepoint_timeout_, msg)
        .receive([&](std::string& dir) { out = std::move(dir); },
                 [&](caf::error& e) {
                   error = e == caf::sec::request_receiver_down
                               ? "no savepoint: the job is not running"
                               : error_text(e);
                 });
  }
  release_thread_logger();
  if (error)
    throw checkpoint_error(*error);
  return out;
}

} // namespace sluice
