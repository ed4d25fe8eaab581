#pragma once
// Operator state for operators driven by hand in a test, as the runtime keeps it: one operator
// state backend per subtask, created fresh or restored (before open) from the handles of a
// checkpoint taken at any parallelism, and snapshot into a directory.

#include "sluice/operators/core/runtime_context.hpp"
#include "sluice/state/operator_state_backend.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sluice::test {

class operator_subtasks {
public:
  /// `parallelism` subtasks of operator `name`, restored from `restore_from` if given.
  operator_subtasks(int parallelism, std::string checkpoint_dir,
                    const std::vector<operator_state_handle>* restore_from = nullptr,
                    const std::string& name = "op")
      : dir_(std::move(checkpoint_dir)) {
    for (int i = 0; i < parallelism; ++i) {
      runtime_context ctx{"job", name, i, parallelism};
      backends_.push_back(std::make_unique<operator_state_backend>(ctx.task_name()));
      if (restore_from)
        backends_.back()->restore(*restore_from, i, parallelism);
      ctx.operator_state = backends_.back().get();
      ctx.restored = restore_from != nullptr;
      contexts_.push_back(ctx);
    }
  }

  int parallelism() const { return static_cast<int>(contexts_.size()); }
  /// The context subtask i opens with (change it before open for other settings).
  runtime_context& context(int i) { return contexts_.at(static_cast<std::size_t>(i)); }
  /// Snapshots the operator state of subtask i for checkpoint `checkpoint_id`.
  operator_state_handle snapshot(int i, std::int64_t checkpoint_id) {
    return backends_.at(static_cast<std::size_t>(i))->snapshot(checkpoint_id, dir_, i);
  }

private:
  std::string dir_;
  std::vector<std::unique_ptr<operator_state_backend>> backends_;
  std::vector<runtime_context> contexts_;
};

} // namespace sluice::test
