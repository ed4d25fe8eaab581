#pragma once
// Captures what the "sluice" logger writes during a test.

#include "sluice/operators/core/logging.hpp"

#include <spdlog/sinks/ostream_sink.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace sluice::test {

/// Captures what the "sluice" logger writes while it lives (instead of writing it to stderr).
class log_capture {
public:
  log_capture()
      : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(text_)), saved_(log()->sinks()) {
    sink_->set_pattern("%l %v");
    log()->sinks() = {sink_};
  }
  ~log_capture() { log()->sinks() = saved_; }
  log_capture(const log_capture&) = delete;
  log_capture& operator=(const log_capture&) = delete;
  std::string text() const { return text_.str(); }

private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
  std::vector<spdlog::sink_ptr> saved_;
};

} // namespace sluice::test
