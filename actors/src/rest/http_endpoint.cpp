#include "http_endpoint.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <regex>
#include <thread>

#include <sys/socket.h>

namespace sluice::rest {

namespace {

struct route_entry {
  std::string method;
  std::regex pattern;
  http_handler handler;
};

/// Only SO_REUSEADDR: httplib's default adds SO_REUSEPORT, with which a second process could
/// listen on the same port and take half of the requests.
void exclusive_socket_options(socket_t sock) {
  int yes = 1;
  ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
}

/// An HTTPS server that, like the cluster's connections, accepts only clients with a
/// certificate signed by the CA of `tls`.
std::unique_ptr<httplib::Server> make_https_server(const tls_files& tls) {
  auto server = std::make_unique<httplib::SSLServer>([tls](SSL_CTX& ctx) {
    SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    return SSL_CTX_use_certificate_chain_file(&ctx, tls.cert.c_str()) == 1 &&
           SSL_CTX_use_PrivateKey_file(&ctx, tls.key.c_str(), SSL_FILETYPE_PEM) == 1 &&
           SSL_CTX_load_verify_locations(&ctx, tls.ca.c_str(), nullptr) == 1;
  });
  if (!server->is_valid())
    throw std::runtime_error("cannot serve HTTPS with --tls-cert '" + tls.cert + "', --tls-key '" +
                             tls.key + "' and --tls-ca '" + tls.ca + "'");
  return server;
}

} // namespace

std::optional<std::string> http_request::param(const std::string& name) const {
  auto it = params.find(name);
  if (it == params.end())
    return std::nullopt;
  return it->second;
}

std::string error_body(const std::string& message) {
  return nlohmann::json{{"errors", nlohmann::json::array({message})}}.dump();
}

struct http_endpoint::impl {
  std::unique_ptr<httplib::Server> server;
  std::vector<route_entry> routes;
  std::thread thread;

  /// Creates the server (HTTPS with `tls` enabled) and routes every request to dispatch().
  void make_server(const tls_files& tls) {
    server = tls.enabled() ? make_https_server(tls) : std::make_unique<httplib::Server>();
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      dispatch(req, res);
    };
    server->Get(".*", handler);
    server->Post(".*", handler);
    server->Put(".*", handler);
    server->Patch(".*", handler);
    server->Delete(".*", handler);
    server->Options(".*", handler);
    server->set_socket_options(exclusive_socket_options);
    // Four request threads (httplib's default is at least eight): a job's API serves few
    // clients.
    server->new_task_queue = [] { return new httplib::ThreadPool(4); };
    server->set_read_timeout(5, 0);
    server->set_write_timeout(5, 0);
    server->set_payload_max_length(1 << 20);
  }

  void dispatch(const httplib::Request& req, httplib::Response& res) {
    http_response out;
    std::string allowed;
    try {
      const route_entry* match = nullptr;
      std::smatch groups;
      for (const auto& r : routes) {
        std::smatch m;
        if (!std::regex_match(req.path, m, r.pattern))
          continue;
        if (r.method != req.method) {
          allowed += (allowed.empty() ? "" : ", ") + r.method;
          continue;
        }
        match = &r;
        groups = std::move(m);
        break;
      }
      if (!match && !allowed.empty())
        throw http_error(405, "method " + req.method + " is not allowed on " + req.path +
                                  " (allowed: " + allowed + ")");
      if (!match)
        throw http_error(404, "no such resource: " + req.path);
      http_request request{req.method, req.path, {}, {}, req.body};
      for (std::size_t i = 1; i < groups.size(); ++i)
        request.captures.push_back(groups[i].str());
      for (const auto& [k, v] : req.params)
        request.params.emplace(k, v);
      out = match->handler(request);
    } catch (const http_error& e) {
      out = http_response{e.status, error_body(e.what())};
      if (e.status == 405)
        res.set_header("Allow", allowed);
    } catch (const std::exception& e) {
      out = http_response{500, error_body(std::string("internal error: ") + e.what())};
    }
    res.status = out.status;
    res.set_content(out.body, out.content_type.c_str());
  }
};

http_endpoint::http_endpoint() : impl_(std::make_unique<impl>()) {}

http_endpoint::~http_endpoint() { stop(); }

void http_endpoint::route(const std::string& method, const std::string& pattern,
                          http_handler handler) {
  impl_->routes.push_back(route_entry{method, std::regex(pattern), std::move(handler)});
}

std::uint16_t http_endpoint::start(const host_port& bind, const tls_files& tls) {
  impl_->make_server(tls);
  auto& server = *impl_->server;
  int port = bind.port;
  if (bind.port == 0)
    port = server.bind_to_any_port(bind.host);
  else if (!server.bind_to_port(bind.host, bind.port))
    port = -1;
  if (port <= 0)
    throw std::runtime_error("cannot listen on " + bind.to_string() +
                             " (the port is in use, or the address is not this host's)");
  auto ended = std::make_shared<std::atomic<bool>>(false);
  impl_->thread = std::thread([&server, ended] {
    server.listen_after_bind();
    *ended = true;
  });
  // stop() stops only a server that runs: wait until it does (or gave up), so stop() never
  // misses it.
  while (!server.is_running() && !*ended)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return static_cast<std::uint16_t>(port);
}

void http_endpoint::stop() {
  if (!impl_->thread.joinable())
    return;
  impl_->server->stop();
  impl_->thread.join();
}

} // namespace sluice::rest
