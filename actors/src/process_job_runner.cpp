#include "sluice/actors/process_job_runner.hpp"

#include "job_manager.hpp"
#include "cluster_processes.hpp"
#include "process_job_client.hpp"
#include "task_manager_actor.hpp"

#include <algorithm>

namespace sluice {

namespace {

/// The embedded cluster: a job manager and one task manager in this process.
class local_job_client final : public process_job_client {
public:
  local_job_client(std::shared_ptr<const execution_plan> plan, const job_config& config,
                   const std::string& job_name)
      : process_job_client(config, false) {
    int slots = config.slots > 0 ? config.slots
                                 : std::max(plan->required_slots(), config.default_parallelism());
    if (slots < plan->required_slots())
      throw config_error("the job needs " + std::to_string(plan->required_slots()) +
                         " slots, the task manager offers " + std::to_string(slots) +
                         " (--slots)");
    auto tm_config = task_manager_config(config);
    task_manager_setup tm_setup;
    tm_setup.plan = plan;
    tm_setup.config = tm_config;
    tm_setup.job_name = job_name;
    tm_setup.status = status_;
    tm_setup.slots = slots;
    tm_setup.name = "local";
    auto tm = system().spawn(task_manager, std::move(tm_setup));
    job_manager_setup jm_setup{plan, tm_config, job_name, status_,
                               task_manager_entry{tm, "local", "", slots, true, ""}};
    main_ = system().spawn<job_manager>(std::move(jm_setup));
    start_rest_api(config);
  }
};

} // namespace

namespace {

std::unique_ptr<job_client> start_client(std::shared_ptr<const execution_plan> plan,
                                         const job_config& config, const std::string& job_name) {
  switch (config.cluster.role()) {
    case process_role::job_manager:
      return start_job_manager_process(std::move(plan), config, job_name);
    case process_role::task_manager:
      return start_task_manager_process(std::move(plan), config, job_name);
    case process_role::local:
      break;
  }
  return std::make_unique<local_job_client>(std::move(plan), config, job_name);
}

} // namespace

std::unique_ptr<job_client> process_job_runner::start(std::shared_ptr<const execution_plan> plan,
                                                 const job_config& config,
                                                 const std::string& job_name) {
  auto client = start_client(std::move(plan), config, job_name);
  release_thread_logger(); // so that any thread may wait for the job
  return client;
}

bool install_process_job_runner() {
  static const bool installed = [] {
    set_job_runner(std::make_shared<process_job_runner>());
    return true;
  }();
  return installed;
}

} // namespace sluice
