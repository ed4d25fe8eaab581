#include "rest_api.hpp"

#include "prometheus.hpp"
#include "rest_views.hpp"

#include "../caf_error_text.hpp"
#include "../process_job_client.hpp"

#include "sluice/actors/query_messages.hpp"
#include "sluice/dashboard/assets.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <optional>

namespace sluice::rest {

namespace {

/// The savepoints, stops and rescales triggered through the API, by trigger id.
class trigger_table {
public:
  struct entry {
    bool done = false;
    std::string location; ///< the savepoint's directory (a rescale's changes), once done
    std::string failure;  ///< why it failed, once done
  };

  /// A new trigger id: `kind`-N.
  std::string add(const std::string& kind) {
    std::lock_guard<std::mutex> guard(mutex_);
    auto id = kind + "-" + std::to_string(++next_);
    entries_[id] = entry{};
    return id;
  }
  void finish(const std::string& id, std::string location, std::string failure) {
    std::lock_guard<std::mutex> guard(mutex_);
    entries_[id] = entry{true, std::move(location), std::move(failure)};
  }
  std::optional<entry> find(const std::string& id) const {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end())
      return std::nullopt;
    return it->second;
  }

private:
  mutable std::mutex mutex_;
  std::map<std::string, entry> entries_;
  std::uint64_t next_ = 0;
};

http_response json_response(const json& body, int status = 200) {
  return http_response{status, body.dump(), "application/json"};
}

/// The request's body as a JSON object ({} when empty); 400 naming the body otherwise.
json body_object(const http_request& req) {
  if (req.body.empty())
    return json::object();
  auto body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    throw http_error(400, "request body: not a JSON object");
  return body;
}

/// Field `name` of `body` if present, checked to be of `T`'s JSON type.
template <class T>
std::optional<T> body_field(const json& body, const char* name) {
  if (!body.contains(name) || body[name].is_null())
    return std::nullopt;
  try {
    return body[name].get<T>();
  } catch (const json::exception&) {
    throw http_error(400, std::string("request body: field '") + name + "' has the wrong type");
  }
}

} // namespace

struct rest_api::impl {
  impl(caf::actor_system& sys, caf::actor jm, std::chrono::milliseconds timeout)
      : system(sys), job_manager(std::move(jm)), savepoint_timeout(timeout) {}

  caf::actor_system& system;
  caf::actor job_manager;
  std::chrono::milliseconds savepoint_timeout;
  http_endpoint endpoint;
  std::shared_ptr<trigger_table> triggers = std::make_shared<trigger_table>();
  std::mutex last_mutex;
  std::string last_state; ///< the latest document: answered once the job manager is gone

  /// The job manager's state document; the latest one if it is gone (the job ended).
  json state() {
    std::optional<std::string> doc;
    std::string why;
    {
      caf::scoped_actor self{system};
      self->request(job_manager, state_timeout, rest_state_atom::value)
          .receive([&](std::string& d) { doc = std::move(d); },
                   [&](caf::error& e) { why = error_text(e); });
    }
    release_thread_logger();
    std::lock_guard<std::mutex> guard(last_mutex);
    if (doc)
      last_state = *doc;
    else if (last_state.empty())
      throw http_error(503, "the job manager did not answer within " +
                                std::to_string(state_timeout.count()) + " ms: " + why);
    return json::parse(last_state);
  }

  /// Routes `GET pattern` to `view(document, request)`, checking the job id of the first group.
  template <class View>
  void get_job(const std::string& pattern, View view) {
    endpoint.route("GET", pattern, [this, view](const http_request& req) {
      auto doc = state();
      check_job(doc, req.captures.at(0));
      return json_response(view(doc, req));
    });
  }

  /// Sends a savepoint (or rescale) request without waiting; its outcome (the job manager's
  /// string reply, or its error) goes to the trigger table under a new id of `kind`.
  template <class Message>
  std::string trigger(Message msg, const std::string& kind) {
    auto id = triggers->add(kind);
    auto table = triggers;
    auto jm = job_manager;
    auto timeout = savepoint_timeout;
    // The request goes in as a spawn argument: CAF 0.17.6 binds a reference to its null
    // argument tuple when a function actor is spawned without any (undefined behaviour).
    system.spawn(
        [=](caf::event_based_actor* self, const Message& request) {
          self->request(jm, timeout, request)
              .then([=](const std::string& reply) { table->finish(id, reply, ""); },
                    [=](const caf::error& e) {
                      table->finish(id, "",
                                    e == caf::sec::request_receiver_down ? "the job is not running"
                                                                         : error_text(e));
                    });
        },
        std::move(msg));
    release_thread_logger();
    return id;
  }

  /// The status of trigger `id` of `kind`, as Flink answers it: IN_PROGRESS, or COMPLETED with
  /// the reply as `field` of the operation or its failure (as exception class `failure`).
  json trigger_status(const std::string& id, const std::string& kind, const char* failure,
                      const char* field) const {
    auto t = id.rfind(kind + "-", 0) == 0 ? triggers->find(id) : std::nullopt;
    if (!t)
      throw http_error(404, "unknown " + kind + " trigger '" + id + "'");
    json operation = nullptr;
    if (t->done && t->failure.empty())
      operation = {{field, t->location}};
    else if (t->done)
      operation = {{"failure-cause", {{"class", failure}, {"stack-trace", t->failure}}}};
    return {{"status", {{"id", t->done ? "COMPLETED" : "IN_PROGRESS"}}}, {"operation", operation}};
  }

  void add_routes() {
    // The web dashboard (docs/dashboard.md): / and its files, compiled into the binary.
    endpoint.route("GET", R"(/|/[a-z_]+\.(html|css|js))", [](const http_request& r) {
      auto asset = dashboard::find_asset(r.path);
      if (!asset)
        throw http_error(404, "no such resource: " + r.path);
      return http_response{200, std::string(asset->content), std::string(asset->mime_type)};
    });
    endpoint.route("GET", "/overview", [this](const http_request&) {
      return json_response(overview(state()));
    });
    endpoint.route("GET", "/jobs", [this](const http_request&) {
      return json_response(jobs(state()));
    });
    endpoint.route("GET", "/jobs/overview", [this](const http_request&) {
      return json_response(jobs_overview(state()));
    });
    endpoint.route("GET", "/metrics", [this](const http_request&) {
      return http_response{200, prometheus_text(state()), prometheus_content_type};
    });
    get_job("/jobs/([^/]+)", [](const json& d, const http_request&) { return job(d); });
    get_job("/jobs/([^/]+)/plan", [](const json& d, const http_request&) { return plan(d); });
    get_job("/jobs/([^/]+)/vertices/([^/]+)",
            [](const json& d, const http_request& r) { return vertex(d, r.captures[1]); });
    get_job("/jobs/([^/]+)/vertices/([^/]+)/backpressure",
            [](const json& d, const http_request& r) { return backpressure(d, r.captures[1]); });
    get_job("/jobs/([^/]+)/vertices/([^/]+)/watermarks",
            [](const json& d, const http_request& r) { return watermarks(d, r.captures[1]); });
    get_job("/jobs/([^/]+)/checkpoints",
            [](const json& d, const http_request&) { return checkpoints(d); });
    get_job("/jobs/([^/]+)/exceptions",
            [](const json& d, const http_request&) { return exceptions(d); });
    get_job("/jobs/([^/]+)/metrics", [](const json& d, const http_request& r) {
      return job_metrics(d, r.param("get"));
    });
    endpoint.route("GET", "/taskmanagers", [this](const http_request&) {
      return json_response(task_managers(state()));
    });
    endpoint.route("GET", "/taskmanagers/([^/]+)", [this](const http_request& r) {
      return json_response(task_manager(state(), r.captures[0]));
    });
    add_action_routes();
  }

  void add_action_routes() {
    endpoint.route("POST", "/jobs/([^/]+)/savepoints", [this](const http_request& r) {
      auto doc = state();
      check_job(doc, r.captures[0]);
      auto body = body_object(r);
      const bool cancel = body_field<bool>(body, "cancel-job").value_or(false);
      auto dir = body_field<std::string>(body, "target-directory").value_or("");
      return json_response(
          {{"request-id",
            trigger(savepoint_request_msg{dir, cancel, false, r.captures[0]}, "savepoint")}},
          202);
    });
    endpoint.route("POST", "/jobs/([^/]+)/stop", [this](const http_request& r) {
      auto doc = state();
      check_job(doc, r.captures[0]);
      auto body = body_object(r);
      auto dir = body_field<std::string>(body, "targetDirectory").value_or("");
      const bool drain = body_field<bool>(body, "drain").value_or(false);
      return json_response(
          {{"request-id",
            trigger(savepoint_request_msg{dir, true, drain, r.captures[0]}, "savepoint")}},
          202);
    });
    // Flink's rescaling API: PATCH starts it, GET follows it by trigger id.
    endpoint.route("PATCH", "/jobs/([^/]+)/rescaling", [this](const http_request& r) {
      auto doc = state();
      check_job(doc, r.captures[0]);
      const auto text = r.param("parallelism");
      if (!text)
        throw http_error(400, "parameter 'parallelism' is missing");
      int parallelism = 0;
      try {
        std::size_t used = 0;
        parallelism = std::stoi(*text, &used);
        if (used != text->size())
          throw std::invalid_argument(*text);
      } catch (const std::exception&) {
        throw http_error(400, "parameter 'parallelism': '" + *text + "' is not a number");
      }
      return json_response(
          {{"request-id",
            trigger(rescale_request_msg{r.captures[0], parallelism, r.param("vertex").value_or("")},
                    "rescale")}},
          202);
    });
    endpoint.route("GET", "/jobs/([^/]+)/rescaling/([^/]+)", [this](const http_request& r) {
      auto doc = state();
      check_job(doc, r.captures[0]);
      return json_response(trigger_status(r.captures[1], "rescale", "sluice.RescaleFailure",
                                          "changes"));
    });
    endpoint.route("GET", "/jobs/([^/]+)/savepoints/([^/]+)", [this](const http_request& r) {
      auto doc = state();
      check_job(doc, r.captures[0]);
      return json_response(trigger_status(r.captures[1], "savepoint", "sluice.SavepointFailure",
                                          "location"));
    });
    endpoint.route("PATCH", "/jobs/([^/]+)", [this](const http_request& r) {
      auto doc = state();
      check_job(doc, r.captures[0]);
      const auto mode = r.param("mode").value_or("cancel");
      if (mode != "cancel")
        throw http_error(400, "parameter 'mode': '" + mode + "' is not supported (only cancel)");
      caf::anon_send(job_manager, cancel_job_atom::value, doc["jid"].get<std::string>());
      release_thread_logger();
      return json_response(json::object(), 202);
    });
  }
};

rest_api::rest_api(caf::actor_system& system, caf::actor job_manager,
                   std::chrono::milliseconds savepoint_timeout)
    : impl_(std::make_unique<impl>(system, std::move(job_manager), savepoint_timeout)) {
  impl_->add_routes();
}

rest_api::~rest_api() { stop(); }

std::uint16_t rest_api::start(const host_port& bind, const tls_files& tls) {
  return impl_->endpoint.start(bind, tls);
}

void rest_api::stop() { impl_->endpoint.stop(); }

} // namespace sluice::rest
