#include "process_job_client.hpp"

#include "basp_shutdown.hpp"

#include "caf_error_text.hpp"
#include "job_reports.hpp"
#include "process_resources.hpp"
#include "rest/prometheus.hpp"

#include "sluice/actors/checkpoint_ids.hpp"

#include "sluice/checkpoint/checkpoint_error.hpp"

#include "sluice/operators/core/logging.hpp"

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <mutex>
#include <optional>
#include <set>
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

/// Prints "<what> listening on http://HOST:PORT" on stderr in one write (tests read it).
void announce_http(const std::string& what, const std::string& host, std::uint16_t port,
                   const tls_files& tls) {
  const auto line = what + " listening on " + (tls.enabled() ? "https://" : "http://") + host +
                    ":" + std::to_string(port) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

/// A task manager's own metrics as a state document without the job's part (prometheus.hpp).
nlohmann::json task_manager_document(const execution_plan& plan, const std::string& job_name,
                                     const std::string& name, const job_config& config, int slots,
                                     const std::vector<subtask_metrics>& metrics) {
  nlohmann::json vertices = nlohmann::json::array();
  for (const auto& v : plan.vertices())
    vertices.push_back({{"id", v.id}, {"name", v.name}});
  nlohmann::json subtasks = nlohmann::json::array();
  for (const auto& m : metrics) {
    auto s = subtask_counters_json(m);
    s["task_manager"] = name;
    s["status"] = m.finished ? "FINISHED" : "RUNNING";
    subtasks.push_back(std::move(s));
  }
  nlohmann::json tm{{"id", name},
                    {"slotsNumber", slots},
                    {"freeSlots", nlohmann::json()},
                    {"lost", false},
                    {"metrics", task_manager_metrics_json(process_report(config, slots))}};
  return nlohmann::json{{"jid", job_id_of(job_name)},
                        {"plan", {{"vertices", std::move(vertices)}}},
                        {"subtasks", std::move(subtasks)},
                        {"taskmanagers", nlohmann::json::array({std::move(tm)})}};
}

} // namespace

job_result process_job_client::wait() {
  auto result = status_->wait();
  stop_http();
  if (system_) {
    main_ = nullptr;
    if (networked_)
      shut_down_within_grace(
          [&] {
            stop_remote_messaging(*system_);
            system_.reset();
          },
          result.exit_code());
    else
      system_.reset();
  }
  result.metrics = status_->metrics();
  return result;
}

std::vector<subtask_metrics> process_job_client::metrics() const {
  auto out = status_->metrics();
  auto reported = status_->reported();
  out.insert(out.end(), std::make_move_iterator(reported.begin()),
             std::make_move_iterator(reported.end()));
  return out;
}

void process_job_client::start_rest_api(const job_config& config) {
  const auto& bind = config.cluster.rest_bind;
  if (bind.host.empty())
    return;
  rest_ = std::make_unique<rest::rest_api>(*system_, main_, savepoint_timeout_);
  try {
    announce_http("REST API", bind.host, rest_->start(bind, config.cluster.tls),
                  config.cluster.tls);
  } catch (const std::exception& e) {
    rest_.reset();
    if (config.cluster.rest_bind_given) {
      cancel();
      wait();
      throw config_error(std::string("flag --rest-bind: ") + e.what());
    }
    log()->warn("no REST API: {} (another job may use it; pass --rest-bind HOST:PORT, port 0 "
                "for any free one, or --rest-bind off)",
                e.what());
  }
}

void process_job_client::start_metrics_endpoint(const job_config& config,
                                                std::shared_ptr<const job_config> tm_config,
                                                std::shared_ptr<const execution_plan> plan,
                                                const std::string& job_name,
                                                const std::string& name) {
  const auto& bind = config.cluster.metrics_bind;
  if (bind.host.empty())
    return;
  metrics_endpoint_ = std::make_unique<rest::http_endpoint>();
  auto status = status_;
  const int slots = config.slots > 0 ? config.slots : 1;
  metrics_endpoint_->route("GET", "/metrics", [=](const rest::http_request&) {
    return rest::http_response{
        200, rest::prometheus_text(task_manager_document(*plan, job_name, name, *tm_config,
                                                         slots, status->metrics())),
        rest::prometheus_content_type};
  });
  try {
    announce_http("metrics", bind.host, metrics_endpoint_->start(bind, config.cluster.tls),
                  config.cluster.tls);
  } catch (const std::exception& e) {
    metrics_endpoint_.reset();
    throw config_error(std::string("flag --metrics-bind: ") + e.what());
  }
}

void process_job_client::stop_http() {
  if (rest_)
    rest_->stop();
  if (metrics_endpoint_)
    metrics_endpoint_->stop();
}

void process_job_client::cancel() {
  if (main_)
    caf::anon_send(main_, cancel_job_atom::value);
}

std::string process_job_client::trigger_savepoint(const std::string& dir) {
  return ask_job_manager(savepoint_request_msg{dir, false, false, ""}, "savepoint",
                         savepoint_timeout_);
}

std::string process_job_client::stop_with_savepoint(const std::string& dir, bool drain) {
  return ask_job_manager(savepoint_request_msg{dir, true, drain, ""}, "savepoint",
                         savepoint_timeout_);
}

std::string process_job_client::rescale(int parallelism, const std::string& vertex) {
  // The checkpoint it stops at, then the deployment of the new subtasks.
  return ask_job_manager(rescale_request_msg{"", parallelism, vertex}, "rescale",
                         2 * savepoint_timeout_);
}

template <class Message>
std::string process_job_client::ask_job_manager(const Message& msg, const char* what,
                                                std::chrono::milliseconds timeout) {
  const auto not_running = std::string("no ") + what + ": the job is not running";
  if (!system_ || !main_)
    throw checkpoint_error(not_running);
  std::string out;
  std::optional<std::string> error;
  {
    caf::scoped_actor self{*system_};
    self->request(main_, timeout, msg)
        .receive([&](std::string& reply) { out = std::move(reply); },
                 [&](caf::error& e) {
                   error = e == caf::sec::request_receiver_down ? not_running : error_text(e);
                 });
  }
  release_thread_logger();
  if (error)
    throw checkpoint_error(*error);
  return out;
}

} // namespace sluice
