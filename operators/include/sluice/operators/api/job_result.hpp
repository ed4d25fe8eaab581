#pragma once

#include "sluice/operators/metrics/operator_metrics.hpp"

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace sluice {

/// Counters of one subtask, as read at one moment.
struct subtask_metrics {
  std::string task;  ///< "map -> filter (2/4)"
  int vertex = 0;
  int subtask = 0;
  std::uint64_t records_in = 0;
  std::uint64_t records_out = 0;
  std::uint64_t batches_in = 0;
  std::uint64_t batches_out = 0;
  std::uint64_t backpressured_ns = 0;   ///< time spent unable to emit for lack of credit
  std::uint64_t credits_outstanding = 0; ///< credits granted to upstreams, not yet used
  std::uint64_t max_in_flight = 0;      ///< most batches ever in flight on one input channel
  std::uint64_t max_credits = 0;        ///< most credits ever granted on one input channel
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t busy_ns = 0;         ///< processing (counted only with metrics on)
  std::uint64_t batches_waiting = 0; ///< output batches waiting for credit
  std::int64_t input_watermark = std::numeric_limits<std::int64_t>::min();  ///< min: none
  std::int64_t output_watermark = std::numeric_limits<std::int64_t>::min(); ///< min: none
  std::int64_t started_ms = 0;       ///< ms since the epoch; 0: not started
  bool finished = false;
  /// A source's backlog where its source knows it (source_backlog), -1 where not: records not
  /// read yet (Kafka: end offset - position, summed over its partitions), bytes of its input
  /// not read yet, the size of its input (files), and the bytes it read (files, Kafka).
  std::int64_t pending_records = -1;
  std::int64_t pending_bytes = -1;
  std::int64_t input_bytes = -1;
  std::int64_t bytes_read = -1;
  /// The operators of its chain, head first (published by the subtask once per metrics interval
  /// and when it finishes).
  std::vector<operator_metrics> operators;
};

/// What execute() returns: success, or the failure naming operator and subtask.
class job_result {
public:
  job_result() = default;
  static job_result failure(std::string error) {
    job_result r;
    r.error_ = std::move(error);
    return r;
  }

  /// A job cancelled because the process received signal `signo` (SIGTERM, SIGINT).
  static job_result cancelled_by_signal(int signo, std::string error) {
    auto r = failure(std::move(error));
    r.signal_ = signo;
    return r;
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  /// 0 on success; 128 + the signal for a job cancelled by SIGTERM (143) or SIGINT (130), as
  /// shells report a process the signal ended; 1 for any other failure.
  int exit_code() const { return ok() ? 0 : signal_ ? 128 + signal_ : 1; }
  std::chrono::nanoseconds duration{0};
  std::vector<subtask_metrics> metrics;

private:
  std::string error_;
  int signal_ = 0;
};

} // namespace sluice
