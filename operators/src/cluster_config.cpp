#include "sluice/operators/cluster_config.hpp"

#include "sluice/operators/job_config.hpp"

#include <cerrno>
#include <cstdlib>

namespace sluice {

host_port parse_host_port(const std::string& flag, const std::string& text, int min_port) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw config_error("flag --" + flag + ": '" + text + "' is not HOST:PORT");
  errno = 0;
  char* end = nullptr;
  auto port = std::strtol(text.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || errno == ERANGE || port < min_port || port > 65535)
    throw config_error("flag --" + flag + ": the port of '" + text + "' is not a number in [" +
                       std::to_string(min_port) + ", 65535]");
  return host_port{text.substr(0, colon), static_cast<std::uint16_t>(port)};
}

process_role cluster_config::role() const {
  if (!job_manager_bind.host.empty())
    return process_role::job_manager;
  if (task_manager)
    return process_role::task_manager;
  return process_role::local;
}

void cluster_config::validate() const {
  if (!job_manager_bind.host.empty() && task_manager)
    throw config_error("flags --jobmanager-bind and --taskmanager exclude each other: a process "
                       "is the job manager or a task manager");
  if (task_manager && job_manager.host.empty())
    throw config_error("flag --taskmanager needs --jobmanager HOST:PORT (the job manager to "
                       "register with)");
  if (!task_manager && !job_manager.host.empty())
    throw config_error("flag --jobmanager is for task managers: add --taskmanager");
  if (!metrics_bind.host.empty() && !task_manager)
    throw config_error("flag --metrics-bind is for task managers (add --taskmanager); a job "
                       "manager or a local job serves /metrics on --rest-bind");
  if (task_managers > 0 && job_manager_bind.host.empty())
    throw config_error("flag --taskmanagers is for the job manager: add --jobmanager-bind "
                       "HOST:PORT");
}

} // namespace sluice
