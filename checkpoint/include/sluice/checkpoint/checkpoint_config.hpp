#pragma once
// How a job checkpoints, as the command line sets it (job_config.cpp parses the flags into
// this struct): interval, timeout, pauses, tolerated failures, retention, mode, unaligned and
// incremental checkpoints, where checkpoints go and what to restore from.

#include <cstdint>
#include <string>

namespace sluice {

/// exactly-once aligns barriers (blocking channels); at-least-once never blocks.
enum class checkpointing_mode { exactly_once, at_least_once };

/// "exactly-once" or "at-least-once".
const char* to_string(checkpointing_mode mode);
/// Parses --checkpointing-mode; throws std::invalid_argument naming the value and the choices.
checkpointing_mode parse_checkpointing_mode(const std::string& text);

struct checkpoint_config {
  std::int64_t interval_ms = 0;     ///< --checkpoint-interval-ms; 0: checkpointing off
  std::int64_t timeout_ms = 600000; ///< --checkpoint-timeout-ms
  std::int64_t min_pause_ms = 0;    ///< --min-pause-between-checkpoints-ms, end to next start
  int max_concurrent = 1;           ///< checkpoints pending at once
  int tolerable_failures = 0;       ///< --tolerable-checkpoint-failures, consecutive
  int retained = 3;                 ///< --retained-checkpoints
  checkpointing_mode mode = checkpointing_mode::exactly_once; ///< --checkpointing-mode
  bool unaligned = false;                                     ///< --unaligned-checkpoints
  /// --incremental-checkpoints: RocksDB checkpoints upload only the SST files no earlier
  /// checkpoint of the run uploaded, heap checkpoints only the key groups that changed
  /// (savepoints stay full).
  bool incremental = true;
  /// --local-recovery: each subtask keeps a local copy of its latest completed keyed snapshot
  /// under --state-dir, and a restart restores from it when it matches the checkpoint.
  bool local_recovery = false;
  /// --aligned-checkpoint-timeout-ms: with unaligned checkpoints, start aligned and switch to
  /// unaligned once alignment took this long; 0: unaligned from the first barrier.
  std::int64_t aligned_timeout_ms = 0;
  std::string checkpoint_dir;            ///< --checkpoint-dir
  std::string savepoint_dir;             ///< --savepoint-dir: savepoints without a directory
  std::string savepoint_on_stop;         ///< --savepoint-on-stop: SIGTERM/SIGINT stop with one
  std::string restore;                   ///< --restore PATH|latest; empty: start fresh
  bool allow_non_restored_state = false; ///< --allow-non-restored-state

  bool enabled() const { return interval_ms > 0; }
  /// Throws std::invalid_argument naming the flag when a value or a combination is invalid
  /// (checkpointing without --checkpoint-dir, unaligned at-least-once, --restore latest
  /// without --checkpoint-dir, ...).
  void validate() const;
};

} // namespace sluice
