#include "process_job_client.hpp"

#include "error_text.hpp"

#include "sluice/checkpoint/checkpoint_error.hpp"

#include <optional>

namespace sluice {

process_job_client::process_job_client(const job_config& config, bool networked)
    : state_dir_(config.state), caf_config_(config, networked),
      system_(std::make_unique<caf::actor_system>(caf_config_)),
      savepoint_timeout_(config.checkpointing.timeout_ms + 10000) {}

process_job_client::~process_job_client() {
  if (system_ && main_) {
    cancel();
    wait();
  }
}

job_result process_job_client::wait() {
  auto result = status_->wait();
  if (system_) {
    main_ = nullptr;
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
  caf::scoped_actor self{*system_};
  std::string out;
  std::optional<std::string> error;
  self->request(main_, savepoint_timeout_, msg)
      .receive([&](std::string& dir) { out = std::move(dir); },
               [&](caf::error& e) {
                 error = e == caf::sec::request_receiver_down
                             ? "no savepoint: the job is not running"
                             : error_text(e);
               });
  if (error)
    throw checkpoint_error(*error);
  return out;
}

} // namespace sluice
