#include "sluice/actors/local_runtime.hpp"

#include "cluster_actors.hpp"
#include "job_status.hpp"
#include "state_directory.hpp"

#include "sluice/actors/messages.hpp"
#include "sluice/operators/logging.hpp"

#include <algorithm>
#include <thread>

namespace sluice {

namespace {

/// CAF's configuration for a Sluice process.
class runtime_config : public caf::actor_system_config {
public:
  explicit runtime_config(const job_config&) {
    register_messages(*this);
    auto cores = std::max(1u, std::thread::hardware_concurrency());
    set("scheduler.max-threads", static_cast<std::size_t>(cores));
    set("scheduler.max-throughput", static_cast<std::size_t>(64));
  }
};

/// The configuration the task manager's subtasks run with: the job's, plus the RocksDB memory
/// they all share (the local runtime is one task manager).
std::shared_ptr<const job_config> task_manager_config(const job_config& config) {
  auto c = std::make_shared<job_config>(config);
  if (c->state.kind == state_backend_kind::rocksdb && !c->state.rocksdb_resources)
    c->state.rocksdb_resources = make_rocksdb_shared_resources(c->state.memory_mb);
  return c;
}

class local_job_client final : public job_client {
public:
  local_job_client(std::shared_ptr<const execution_plan> plan, const job_config& config,
                   const std::string& job_name)
      : state_dir_(config.state), caf_config_(config),
        system_(std::make_unique<caf::actor_system>(caf_config_)),
        status_(std::make_shared<job_status>()) {
    int slots = config.slots > 0 ? config.slots
                                 : std::max(plan->required_slots(), config.default_parallelism());
    if (slots < plan->required_slots())
      throw config_error("the job needs " + std::to_string(plan->required_slots()) +
                         " slots, the task manager offers " + std::to_string(slots) +
                         " (--slots)");
    if (config.checkpointing.aligned_timeout_ms > 0)
      throw config_error("--aligned-checkpoint-timeout-ms: not supported by the runtime yet "
                         "(--unaligned-checkpoints alone is)");
    auto tm_config = task_manager_config(config);
    auto tm = system_->spawn(task_manager,
                             task_manager_setup{plan, tm_config, job_name, status_, slots});
    job_manager_ =
        system_->spawn(job_manager, job_manager_setup{plan, tm_config, job_name, status_, tm});
  }

  ~local_job_client() override {
    if (system_) {
      cancel();
      wait();
    }
  }

  job_result wait() override {
    auto result = status_->wait();
    if (system_) {
      job_manager_ = nullptr;
      system_.reset();
    }
    result.metrics = status_->metrics();
    return result;
  }

  void cancel() override {
    if (job_manager_)
      caf::anon_send(job_manager_, cancel_job_atom::value);
  }

  std::vector<subtask_metrics> metrics() const override { return status_->metrics(); }

private:
  // Declared first: removed after the actor system (and with it every backend) is gone.
  state_directory state_dir_;
  runtime_config caf_config_;
  std::unique_ptr<caf::actor_system> system_;
  std::shared_ptr<job_status> status_;
  caf::actor job_manager_;
};

} // namespace

std::unique_ptr<job_client> local_runtime::start(std::shared_ptr<const execution_plan> plan,
                                                 const job_config& config,
                                                 const std::string& job_name) {
  return std::make_unique<local_job_client>(std::move(plan), config, job_name);
}

bool install_local_runtime() {
  static const bool installed = [] {
    set_job_runner(std::make_shared<local_runtime>());
    return true;
  }();
  return installed;
}

} // namespace sluice
