#include "sluice/checkpoint/restart_strategy.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace sluice {

namespace {

void require(bool ok, const char* strategy, const std::string& problem) {
  if (!ok)
    throw std::invalid_argument(std::string(strategy) + " restart: " + problem);
}

} // namespace

// -- none -----------------------------------------------------------------------------------

std::optional<std::int64_t> no_restart::on_failure(std::int64_t) { return std::nullopt; }

std::string no_restart::description() const { return "no restart"; }

// -- fixed delay ----------------------------------------------------------------------------

fixed_delay_restart::fixed_delay_restart(int attempts, std::int64_t delay_ms)
    : attempts_(attempts), delay_ms_(delay_ms) {
  require(attempts >= 0, "fixed-delay", "attempts must be >= 0, not " + std::to_string(attempts));
  require(delay_ms >= 0, "fixed-delay", "delay must be >= 0 ms, not " + std::to_string(delay_ms));
}

std::optional<std::int64_t> fixed_delay_restart::on_failure(std::int64_t) {
  if (failures_ >= attempts_)
    return std::nullopt;
  ++failures_;
  return delay_ms_;
}

std::string fixed_delay_restart::description() const {
  return "fixed-delay restart: " + std::to_string(attempts_) + " attempts, " +
         std::to_string(delay_ms_) + " ms apart (" + std::to_string(failures_) + " used)";
}

// -- exponential delay ----------------------------------------------------------------------

exponential_delay_restart::exponential_delay_restart(std::int64_t initial_ms, std::int64_t max_ms,
                                                     double multiplier, std::int64_t reset_after_ms,
                                                     double jitter, std::uint64_t seed)
    : initial_ms_(initial_ms), max_ms_(max_ms), multiplier_(multiplier),
      reset_after_ms_(reset_after_ms), jitter_(jitter), random_(seed) {
  const char* name = "exponential-delay";
  require(initial_ms >= 1, name, "the initial delay must be >= 1 ms");
  require(max_ms >= initial_ms, name,
          "the maximum delay " + std::to_string(max_ms) + " ms is below the initial delay " +
              std::to_string(initial_ms) + " ms");
  require(multiplier >= 1, name, "the multiplier must be >= 1");
  require(reset_after_ms >= 1, name, "the stable period before a reset must be >= 1 ms");
  require(jitter >= 0 && jitter <= 1, name, "the jitter factor must be in [0, 1]");
}

std::optional<std::int64_t> exponential_delay_restart::on_failure(std::int64_t now_ms) {
  if (!last_failure_ms_ || now_ms - *last_failure_ms_ >= reset_after_ms_)
    backoff_ms_ = static_cast<double>(initial_ms_);
  else
    backoff_ms_ = std::min(backoff_ms_ * multiplier_, static_cast<double>(max_ms_));
  last_failure_ms_ = now_ms;
  double delay = backoff_ms_;
  if (jitter_ > 0)
    delay *= 1 + std::uniform_real_distribution<double>(-jitter_, jitter_)(random_);
  return static_cast<std::int64_t>(std::llround(delay));
}

std::string exponential_delay_restart::description() const {
  std::ostringstream os;
  os << "exponential-delay restart: " << initial_ms_ << " ms initially, times " << multiplier_
     << " per failure up to " << max_ms_ << " ms, reset after " << reset_after_ms_
     << " ms without failure";
  if (jitter_ > 0)
    os << ", jitter " << jitter_;
  return os.str();
}

// -- failure rate ---------------------------------------------------------------------------

failure_rate_restart::failure_rate_restart(int max_failures, std::int64_t interval_ms,
                                           std::int64_t delay_ms)
    : max_failures_(max_failures), interval_ms_(interval_ms), delay_ms_(delay_ms) {
  const char* name = "failure-rate";
  require(max_failures >= 1, name, "the failures per interval must be >= 1");
  require(interval_ms >= 1, name, "the interval must be >= 1 ms");
  require(delay_ms >= 0, name, "the delay must be >= 0 ms");
}

std::optional<std::int64_t> failure_rate_restart::on_failure(std::int64_t now_ms) {
  while (!failures_ms_.empty() && failures_ms_.front() <= now_ms - interval_ms_)
    failures_ms_.pop_front();
  failures_ms_.push_back(now_ms);
  if (failures_ms_.size() > static_cast<std::size_t>(max_failures_))
    return std::nullopt;
  return delay_ms_;
}

std::string failure_rate_restart::description() const {
  return "failure-rate restart: at most " + std::to_string(max_failures_) + " failures per " +
         std::to_string(interval_ms_) + " ms, " + std::to_string(delay_ms_) + " ms apart";
}

} // namespace sluice
