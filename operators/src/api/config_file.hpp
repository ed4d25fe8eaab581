#pragma once
// Reads a configuration file (--config FILE): a flat YAML mapping of flag names to values, as
// Flink's config.yaml. Parsed with yaml-cpp; only job_config.cpp uses it.

#include <string>
#include <vector>

namespace sluice {

/// One `key: value` line of a configuration file.
struct config_entry {
  std::string key;
  std::string value; ///< the scalar as written, without quotes
  int line = 0;      ///< 1-based
  /// Empty if the value is a scalar, else what was found instead: "nothing", "a list", ...
  std::string not_a_value;
};

/// The entries of the file at `path`, in file order. An unreadable file, bad YAML syntax, a
/// document that is not a mapping and a key given twice throw config_error naming the file and
/// the line (and the key where there is one).
std::vector<config_entry> read_config_file(const std::string& path);

} // namespace sluice
