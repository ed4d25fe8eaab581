#include "sluice/actors/local_runtime.hpp"

#include "cluster_actors.hpp"
#include "job_status.hpp"
#include "state_directory.hpp"

#include "sluice/actors/messages.hpp"
#include "sluice/checkpoint/checkpoint_error.hpp"
#include "sluice/operators/logging.hpp"

#include <algorithm>
#include <optional>
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
    savepoint_timeout_ = std::chrono::milliseconds(config.checkpointing.timeout_ms + 10000);
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

  std::vector<checkpoint_stats> completed_checkpoints() const override {
    return status_->completed_checkpoints();
  }

  std::string trigger_savepoint(const std::string& dir) override {
    return request_savepoint(savepoint_request_msg{dir, false, false});
  }

  std::string stop_with_savepoint(const std::string& dir, bool drain) override {
    return request_savepoint(savepoint_request_msg{dir, true, drain});
  }

private:
  /// Sends `msg` to the job manager and waits for the savepoint (at most the checkpoint
  /// timeout, plus a margin).
  std::string request_savepoint(const savepoint_request_msg& msg) {
    if (!system_ || !job_manager_)
      throw checkpoint_error("no savepoint: the job is not running");
    caf::scoped_actor self{*system_};
    std::string out;
    std::optional<std::string> error;
    self->request(job_manager_, savepoint_timeout_, msg)
        .receive([&](std::string& dir) { out = std::move(dir); },
                 [&](caf::error& e) { error = error_text(e); });
    if (error)
      throw checkpoint_error(*error);
    return out;
  }

  /// The text of a runtime_error made with a message, else CAF's rendering of `e`.
  std::string error_text(const caf::error& e) const {
    if (e.category() == caf::atom("system") && e.context().match_elements<std::string>())
      return e.context().get_as<std::string>(0);
    if (e == caf::sec::request_receiver_down)
      return "no savepoint: the job is not running";
    return "no savepoint: " + system_->render(e);
  }

  // Declared first: removed after the actor system (and with it every backend) is gone.
  state_directory state_dir_;
  runtime_config caf_config_;
  std::unique_ptr<caf::actor_system> system_;
  std::shared_ptr<job_status> status_;
  caf::actor job_manager_;
  std::chrono::milliseconds savepoint_timeout_{0};
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
