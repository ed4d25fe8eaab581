#pragma once

#include "sluice/operators/metrics/metric_group.hpp"
#include "sluice/operators/time/timestamps.hpp"
#include "sluice/state/get_keyed_state.hpp"
#include "sluice/state/operator_state_backend.hpp"

#include <cstdint>
#include <memory>
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
  /// The operator's keyed state (null unless the operator runs on a keyed stream); the
  /// operator sets its current key before calling user code.
  keyed_state_backend* keyed_state = nullptr;
  /// The operator's non-keyed state (list and broadcast states).
  operator_state_backend* operator_state = nullptr;
  /// This run started from a checkpoint or savepoint: the state backends above were restored
  /// before open(), so operators find their state there (and sources their positions).
  bool restored = false;
  /// Periodic checkpoints are on: two-phase-commit sinks commit on notify_checkpoint_complete
  /// instead of at the end of input, the text file sink writes exactly-once, and sources that
  /// cannot replay their input warn (warn_if_not_replayable).
  bool checkpointing = false;
  /// --checkpoint-interval-ms when checkpointing (e.g. for transaction timeouts to outlast).
  std::int64_t checkpoint_interval_ms = 0;
  /// The operator's metrics (shared by the copies of this context); see metric_group().
  std::shared_ptr<sluice::metric_group> metrics = std::make_shared<sluice::metric_group>();

  /// The operator's metric group (Flink's getMetricGroup()): user metrics registered here, in
  /// open(), are reported with the subtask's metrics under the operator's name.
  sluice::metric_group& metric_group() const { return *metrics; }

  /// The keyed state `d` describes, scoped to the current key. Throws state_error naming the
  /// operator and the state if the operator is not on a keyed stream.
  template <class D>
  state_interface_t<D>& get_state(const D& d) const {
    if (!keyed_state)
      throw state_error("operator '" + task_name() + "' uses keyed state '" + d.name +
                        "' but does not run on a keyed stream (key_by first)");
    return keyed_state->get_state(d);
  }

  std::int64_t current_timestamp() const { return element_time ? element_time->value : no_timestamp; }

  /// "map (2/4)", as in log lines and errors.
  std::string task_name() const {
    return operator_name + " (" + std::to_string(subtask_index + 1) + "/" +
           std::to_string(parallelism) + ")";
  }
};

} // namespace sluice
