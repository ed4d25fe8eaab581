#pragma once

#include "sluice/operators/time/timestamps.hpp"

#include <cstdint>
#include <string>

namespace sluice {

/// What an operator instance knows about where it runs.
struct runtime_context {
  std::string job_name;
  std::string operator_name;
  int subtask_index = 0;
  int parallelism = 1;
  int max_parallelism = 128;
  /// The timestamp of the record being processed, shared by the chain.
  timestamp_slot* element_time = nullptr;
  /// The split of the record being processed (sources with several splits), shared by the chain.
  split_slot* split = nullptr;
  /// The subtask's processing-time clock and wake-ups.
  processing_time_service* processing_time = nullptr;
  /// --watermark-interval-ms: 0 emits a watermark after every record.
  std::int64_t watermark_interval_ms = 200;

  std::int64_t current_timestamp() const { return element_time ? element_time->value : no_timestamp; }

  /// "map (2/4)", as in log lines and errors.
  std::string task_name() const {
    return operator_name + " (" + std::to_string(subtask_index + 1) + "/" +
           std::to_string(parallelism) + ")";
  }
};

} // namespace sluice
