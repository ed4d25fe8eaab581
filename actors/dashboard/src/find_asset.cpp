#include "embedded_files.hpp"

#include <sluice/dashboard/assets.hpp>

namespace sluice::dashboard {
namespace {

std::string_view mime_type_of(std::string_view name) {
  struct type {
    std::string_view extension;
    std::string_view mime_type;
  };
  static constexpr type types[] = {
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
  };
  for (const auto& t : types)
    if (name.size() >= t.extension.size() &&
        name.substr(name.size() - t.extension.size()) == t.extension)
      return t.mime_type;
  return "application/octet-stream";
}

} // namespace

std::optional<asset> find_asset(std::string_view path) {
  path = path.substr(0, path.find_first_of("?#"));
  if (path.empty() || path.front() != '/')
    return std::nullopt;
  auto name = path == "/" ? std::string_view{"index.html"} : path.substr(1);
  for (const auto& file : detail::embedded_files())
    if (file.name == name)
      return asset{file.content, mime_type_of(file.name)};
  return std::nullopt;
}

} // namespace sluice::dashboard
