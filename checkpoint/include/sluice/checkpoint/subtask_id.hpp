#pragma once
// The name of one operator subtask in checkpointing: the operator's uid and the subtask index.

#include <string>

namespace sluice {

/// One operator subtask: what takes part in a checkpoint and acknowledges it.
struct subtask_id {
  std::string operator_uid;
  int index = 0;

  /// "uid[index]".
  std::string to_string() const { return operator_uid + "[" + std::to_string(index) + "]"; }
  friend bool operator==(const subtask_id& a, const subtask_id& b) {
    return a.index == b.index && a.operator_uid == b.operator_uid;
  }
  friend bool operator<(const subtask_id& a, const subtask_id& b) {
    return a.operator_uid != b.operator_uid ? a.operator_uid < b.operator_uid : a.index < b.index;
  }
};

} // namespace sluice
