#include "process_job_client.hpp"

#include "sluice/actors/messages.hpp"

namespace sluice {

process_job_client::process_job_client(const job_config& config, bool networked)
    : state_dir_(config.state), caf_config_(config, networked),
      system_(std::make_unique<caf::actor_system>(caf_config_)) {}

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

} // namespace sluice
