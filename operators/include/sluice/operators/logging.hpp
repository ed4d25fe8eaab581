#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace sluice {

/// The "sluice" logger (stderr), created on first use.
std::shared_ptr<spdlog::logger> log();

/// Sets the level by name (trace, debug, info, warn, error, off).
void set_log_level(const std::string& level);

} // namespace sluice
