#include "cluster_processes.hpp"

#include "caf_error_text.hpp"
#include "job_manager.hpp"
#include "process_job_client.hpp"
#include "task_manager_actor.hpp"
#include "tls_transport.hpp"

#include "sluice/operators/core/logging.hpp"

#include <caf/io/all.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

#include <unistd.h>

namespace sluice {

namespace {

/// This host's name and the process id: how a task manager is named in messages
/// (and a job manager in its log lines).
std::string process_name() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(::getpid());
}

class job_manager_process final : public process_job_client {
public:
  job_manager_process(std::shared_ptr<const execution_plan> plan, const job_config& config,
                      const std::string& job_name)
      : process_job_client(config, true) {
    set_log_process("jobmanager " + process_name());
    const auto& bind = config.cluster.job_manager_bind;
    main_ = system().spawn<job_manager>(job_manager_setup{plan, task_manager_config(config),
                                                          job_name, status_, std::nullopt});
    auto port = publish_actor(system(), main_, bind);
    if (!port) {
      auto why = "flag --jobmanager-bind: cannot listen on " + bind.to_string() + ": " +
                 error_text(port.error());
      cancel();
      wait();
      throw config_error(why);
    }
    // One write: scripts read this line while the process runs.
    const auto line = "job manager of '" + job_name + "' listening on " + bind.host + ":" +
                      std::to_string(*port) + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
    start_rest_api(config);
  }
};

class task_manager_process final : public process_job_client {
public:
  task_manager_process(std::shared_ptr<const execution_plan> plan, const job_config& config,
                       const std::string& job_name)
      : process_job_client(config, true) {
    const auto& cluster = config.cluster;
    auto job_manager = reach_job_manager(cluster);
    auto peer_port = open_port(system(), cluster.task_manager_bind);
    if (!peer_port)
      throw config_error("flag --taskmanager-bind: cannot listen on " + cluster.task_manager_bind +
                         ": " + error_text(peer_port.error()));
    task_manager_setup setup;
    setup.plan = plan;
    setup.config = task_manager_config(config);
    setup.job_name = job_name;
    setup.status = status_;
    setup.slots = config.slots > 0 ? config.slots : 1;
    setup.job_manager = std::move(job_manager);
    setup.name = process_name();
    set_log_process("taskmanager " + setup.name);
    setup.peer_address = cluster.task_manager_bind + ":" + std::to_string(*peer_port);
    if (!cluster.tls.enabled()) { // with TLS, data goes through CAF's TLS connections
      try {
        setup.data_plane = std::make_shared<remote_data_plane>(cluster.task_manager_bind);
      } catch (const std::exception& e) {
        throw config_error(std::string("flag --taskmanager-bind: ") + e.what());
      }
    }
    const auto name = setup.name;
    auto tm_config = setup.config;
    main_ = system().spawn(task_manager, std::move(setup));
    start_metrics_endpoint(config, std::move(tm_config), std::move(plan), job_name, name);
  }

private:
  /// The job manager's actor; retries (it may not listen yet) until the registration timeout.
  caf::actor reach_job_manager(const cluster_config& cluster) {
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(cluster.registration_timeout_ms);
    for (;;) {
      auto jm = connect_actor(system(), cluster.job_manager);
      if (jm)
        return *jm;
      const auto why = connect_error_text(jm.error(), cluster.job_manager);
      if (why.find("(TLS: ") != std::string::npos) // a refused handshake stays refused
        throw config_error("flag --jobmanager: the TLS handshake with the job manager at " +
                           cluster.job_manager.to_string() + " failed: " + why +
                           "; check --tls-cert, --tls-key and --tls-ca on both sides");
      if (std::chrono::steady_clock::now() >= deadline)
        throw config_error("flag --jobmanager: cannot reach the job manager at " +
                           cluster.job_manager.to_string() + " within " +
                           std::to_string(cluster.registration_timeout_ms) +
                           " ms (--registration-timeout-ms): " + why);
      log()->debug("cannot reach the job manager at {} yet: {}", cluster.job_manager.to_string(),
                   why);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
};

} // namespace

std::unique_ptr<job_client> start_job_manager_process(std::shared_ptr<const execution_plan> plan,
                                                      const job_config& config,
                                                      const std::string& job_name) {
  return std::make_unique<job_manager_process>(std::move(plan), config, job_name);
}

std::unique_ptr<job_client> start_task_manager_process(std::shared_ptr<const execution_plan> plan,
                                                       const job_config& config,
                                                       const std::string& job_name) {
  return std::make_unique<task_manager_process>(std::move(plan), config, job_name);
}

} // namespace sluice
