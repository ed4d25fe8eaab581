#pragma once
// An HTTP server on its own threads (cpp-httplib) with a table of routes: a method and a path
// pattern (std::regex, whole path) to a handler. Answers 404 for a path no route matches and
// 405 (with Allow) for a path that matches only with another method, both with a JSON body
// {"errors":["..."]} as Flink's REST API. Handlers throw http_error for other statuses.

#include "sluice/operators/api/cluster_config.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice::rest {

struct http_request {
  std::string method;
  std::string path;
  std::vector<std::string> captures; ///< the pattern's groups
  std::multimap<std::string, std::string> params; ///< the query string's parameters
  std::string body;

  /// The first value of query parameter `name`, if given.
  std::optional<std::string> param(const std::string& name) const;
};

struct http_response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

/// A refusal: the status and the message of the JSON error body.
struct http_error : std::runtime_error {
  http_error(int status, const std::string& message)
      : std::runtime_error(message), status(status) {}
  int status;
};

/// The JSON error body of `message`: {"errors":[message]}.
std::string error_body(const std::string& message);

using http_handler = std::function<http_response(const http_request&)>;

class http_endpoint {
public:
  http_endpoint();
  ~http_endpoint();
  http_endpoint(const http_endpoint&) = delete;
  http_endpoint& operator=(const http_endpoint&) = delete;

  /// Adds a route (before start()).
  void route(const std::string& method, const std::string& pattern, http_handler handler);

  /// Listens on `bind` (port 0: a free one; the port is exclusive to this process) and serves
  /// on its own threads, HTTPS for clients with a certificate of the CA when `tls` is enabled;
  /// returns the port. Throws std::runtime_error saying why it cannot.
  std::uint16_t start(const host_port& bind, const tls_files& tls = {});

  /// Stops serving and waits for the requests being handled. Idempotent.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace sluice::rest
