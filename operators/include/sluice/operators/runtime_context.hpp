#pragma once

#include <string>

namespace sluice {

/// What an operator instance knows about where it runs.
struct runtime_context {
  std::string job_name;
  std::string operator_name;
  int subtask_index = 0;
  int parallelism = 1;
  int max_parallelism = 128;

  /// "map (2/4)", as in log lines and errors.
  std::string task_name() const {
    return operator_name + " (" + std::to_string(subtask_index + 1) + "/" +
           std::to_string(parallelism) + ")";
  }
};

} // namespace sluice
