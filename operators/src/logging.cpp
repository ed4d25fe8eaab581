#include "sluice/operators/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace sluice {

std::shared_ptr<spdlog::logger> log() {
  static auto logger = [] {
    auto l = spdlog::stderr_color_mt("sluice");
    l->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
    l->set_level(spdlog::level::warn);
    return l;
  }();
  return logger;
}

void set_log_level(const std::string& level) {
  log()->set_level(spdlog::level::from_str(level));
}

} // namespace sluice
