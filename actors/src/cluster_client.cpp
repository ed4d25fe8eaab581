#include "sluice/actors/cluster_client.hpp"

#include "caf_error_text.hpp"
#include "runtime_config.hpp"
#include "tls_transport.hpp"

#include <caf/io/all.hpp>

#include <algorithm>
#include <optional>

namespace sluice {

namespace {

job_config with_tls(const tls_files& tls) {
  job_config c;
  c.cluster.tls = tls;
  return c;
}

/// What a connection closed during CAF's handshake most likely means.
std::string handshake_hint(const caf::error& failure, const tls_files& tls) {
  if (failure != caf::sec::disconnect_during_handshake)
    return "";
  return tls.enabled() ? " (the job manager refused this client's TLS certificate, or it runs "
                         "without TLS)"
                       : " (if the job manager runs with TLS, give --tls-cert, --tls-key and "
                         "--tls-ca)";
}

} // namespace

struct cluster_client::impl {
  impl(const host_port& address, std::chrono::milliseconds timeout, const tls_files& tls)
      : where(address.to_string()), timeout(timeout), config(with_tls(tls), true),
        system(config) {
    std::optional<caf::error> failure;
    {
      caf::scoped_actor self{system};
      self->request(transport(system), timeout, caf::connect_atom::value,
                    address.host, address.port)
          .receive(
              [&](const caf::node_id&, caf::strong_actor_ptr& published,
                  const std::set<std::string>&) {
                job_manager = caf::actor_cast<caf::actor>(std::move(published));
              },
              [&](const caf::error& e) { failure = e; });
    }
    if (failure)
      throw cluster_unreachable("cannot reach the job manager at " + where + ": " +
                                connect_error_text(*failure, address) +
                                handshake_hint(*failure, tls));
    if (!job_manager)
      throw cluster_unreachable("nothing is published at " + where + " (not a job manager)");
  }

  /// Sends `xs` to the job manager and returns its reply of type T.
  template <class T, class... Ts>
  T ask(Ts&&... xs) {
    return ask_within<T>(timeout, std::forward<Ts>(xs)...);
  }

  /// ask, waiting at most `limit` for the reply.
  template <class T, class... Ts>
  T ask_within(std::chrono::milliseconds limit, Ts&&... xs) {
    std::optional<T> reply;
    std::optional<caf::error> failure;
    {
      caf::scoped_actor self{system};
      self->request(job_manager, limit, std::forward<Ts>(xs)...)
          .receive([&](T& x) { reply = std::move(x); },
                   [&](const caf::error& e) { failure = e; });
    }
    if (failure && *failure == caf::sec::request_timeout)
      throw cluster_unreachable("the job manager at " + where + " did not answer within " +
                                std::to_string(limit.count()) +
                                (limit == timeout ? " ms (--timeout-ms)" : " ms"));
    if (failure && *failure == caf::sec::request_receiver_down)
      throw cluster_unreachable("the job manager at " + where + " has gone");
    if (failure)
      throw cluster_request_failed(error_text(*failure));
    return std::move(*reply);
  }

  std::string where;
  std::chrono::milliseconds timeout;
  runtime_config config;
  caf::actor_system system;
  caf::actor job_manager;
};

cluster_client::cluster_client(const host_port& address, std::chrono::milliseconds timeout,
                               const tls_files& tls)
    : impl_(std::make_unique<impl>(address, timeout, tls)) {}

cluster_client::~cluster_client() = default;

std::vector<job_overview> cluster_client::list_jobs() {
  return impl_->ask<std::vector<job_overview>>(list_jobs_atom::value);
}

job_details cluster_client::job(const std::string& job) {
  return impl_->ask<job_details>(job_details_atom::value, job);
}

std::vector<task_manager_info> cluster_client::task_managers() {
  return impl_->ask<std::vector<task_manager_info>>(list_task_managers_atom::value);
}

nlohmann::json cluster_client::job_document(const std::string& job,
                                            std::chrono::milliseconds timeout) {
  auto doc = nlohmann::json::parse(impl_->ask_within<std::string>(timeout, rest_state_atom::value));
  if (job != doc.value("jid", "") && job != doc.value("name", ""))
    throw cluster_request_failed("unknown job '" + job + "': this job manager runs '" +
                                 doc.value("jid", "") + "'");
  return doc;
}

std::string cluster_client::cancel(const std::string& job) {
  return impl_->ask<std::string>(cancel_job_atom::value, job);
}

std::string cluster_client::savepoint(const std::string& job, const std::string& dir) {
  return impl_->ask<std::string>(savepoint_request_msg{dir, false, false, job});
}

std::string cluster_client::stop(const std::string& job, const std::string& dir, bool drain) {
  return impl_->ask<std::string>(savepoint_request_msg{dir, true, drain, job});
}

std::string cluster_client::rescale(const std::string& job, int parallelism,
                                    const std::string& vertex) {
  return impl_->ask<std::string>(rescale_request_msg{job, parallelism, vertex});
}

double backpressured_share(const job_details& job, const subtask_status& s) {
  if (job.job.uptime_ms <= 0)
    return 0;
  return std::min(1.0, static_cast<double>(s.backpressured_ms) /
                           static_cast<double>(job.job.uptime_ms));
}

} // namespace sluice
