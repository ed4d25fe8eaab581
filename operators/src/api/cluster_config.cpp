#include "sluice/operators/api/cluster_config.hpp"

#include "sluice/operators/api/job_config.hpp"

#include <cerrno>
#include <cstdlib>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>

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

bool is_loopback(const std::string& host) {
  if (host == "localhost")
    return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1)
    return (ntohl(v4.s_addr) >> 24) == 127;
  const auto bare = host.size() > 2 && host.front() == '[' && host.back() == ']'
                        ? host.substr(1, host.size() - 2)
                        : host;
  in6_addr v6{};
  return ::inet_pton(AF_INET6, bare.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

void tls_files::validate() const {
  const std::pair<const char*, const std::string*> flags[] = {
      {"tls-cert", &cert}, {"tls-key", &key}, {"tls-ca", &ca}};
  std::string given, missing;
  for (const auto& [name, value] : flags)
    (value->empty() ? missing : given) += std::string(" --") + name;
  if (!given.empty() && !missing.empty())
    throw config_error("flags --tls-cert, --tls-key and --tls-ca go together (mutual TLS needs "
                       "this process's certificate, its key and the CA of its peers):" +
                       given + " given without" + missing);
}

namespace {

/// Throws unless `host` (of flag --`flag`) is loopback, TLS is on, or --insecure is given.
void check_exposure(const cluster_config& c, const char* flag, const std::string& host) {
  if (host.empty() || is_loopback(host) || c.tls.enabled() || c.insecure)
    return;
  throw config_error(std::string("flag --") + flag + ": " + host +
                     " is not a loopback address and TLS is off: anyone who reaches it could "
                     "control the job or read its data; give --tls-cert, --tls-key and --tls-ca "
                     "(docs/security.md), or --insecure to listen unprotected anyway");
}

} // namespace

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
  tls.validate();
  switch (role()) {
    case process_role::job_manager:
      check_exposure(*this, "jobmanager-bind", job_manager_bind.host);
      check_exposure(*this, "rest-bind", rest_bind.host);
      break;
    case process_role::task_manager:
      check_exposure(*this, "taskmanager-bind", task_manager_bind);
      check_exposure(*this, "metrics-bind", metrics_bind.host);
      break;
    case process_role::local:
      if (rest_bind_given)
        check_exposure(*this, "rest-bind", rest_bind.host);
      break;
  }
}

} // namespace sluice
