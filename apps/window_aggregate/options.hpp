#pragma once
// window_aggregate's own flags: their specs for the environment, and their validation.

#include <sluice/sluice.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace window_aggregate {

enum class window_kind { tumbling, sliding, session };

struct options {
  std::optional<std::string> input;       ///< none: stdin
  std::optional<std::string> output;      ///< none: stdout
  std::optional<std::string> late_output; ///< none: late records are dropped
  /// Checkpointing is on: --output and --late-output name directories of exactly-once part files.
  bool checkpointing = false;
  window_kind kind = window_kind::tumbling;
  std::int64_t size = 0;   ///< tumbling and sliding
  std::int64_t slide = 0;  ///< sliding
  std::int64_t gap = 0;    ///< session
  std::int64_t offset = 0; ///< tumbling and sliding
  std::int64_t out_of_orderness = 0;
  std::int64_t allowed_lateness = 0;
  std::optional<std::int64_t> idle_timeout;
  bool skip_malformed = false;
};

/// The flags window_aggregate adds to the common ones.
std::vector<sluice::flag_spec> flag_specs();

/// The options given to `env`. Throws sluice::config_error naming the flag on a missing,
/// malformed, out-of-range or inapplicable value.
options read_options(const sluice::environment& env);

/// Whether the command line sets flag `name` (as `--name VALUE` or `--name=VALUE`).
bool flag_given(int argc, char** argv, const std::string& name);

} // namespace window_aggregate
