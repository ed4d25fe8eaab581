#pragma once

#include <optional>
#include <string_view>

namespace sluice::dashboard {

/// A file of the web dashboard, compiled into the binary.
struct asset {
  std::string_view content;   ///< the file's bytes
  std::string_view mime_type; ///< for Content-Type, e.g. "text/html; charset=utf-8"
};

/// The dashboard file served at the HTTP path `path` ("/" is index.html; "/app.js" is web/app.js),
/// or nothing for a path that names no dashboard file. A query string or fragment is ignored.
std::optional<asset> find_asset(std::string_view path);

} // namespace sluice::dashboard
