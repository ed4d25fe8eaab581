#pragma once
// The subtasks of a sink driven by hand as the runtime will drive them with checkpointing on:
// one attempt of a job, opened fresh or restored from a checkpoint's operator state handles.
// Destroying an attempt without closing its sinks is a crash.

#include "operator_state_checkpoints.hpp"
#include "sluice/operators/sinks/sink.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sluice::test {

template <class T>
class sink_attempt {
public:
  /// `parallelism` copies of `proto`, opened with checkpointing on.
  sink_attempt(const sink<T>& proto, int parallelism, const std::string& checkpoint_dir,
               const std::vector<operator_state_handle>* restore_from = nullptr)
      : subtasks_(parallelism, checkpoint_dir, restore_from, "sink") {
    for (int i = 0; i < parallelism; ++i) {
      subtasks_.context(i).checkpointing = true;
      sinks_.push_back(proto.clone());
      sinks_.back()->open(subtasks_.context(i));
    }
  }

  sink<T>& operator[](int i) { return *sinks_.at(static_cast<std::size_t>(i)); }

  void write(int i, const std::vector<T>& records) {
    for (auto r : records)
      (*this)[i].write(std::move(r));
  }

  /// Takes checkpoint `id` at every subtask; returns the operator state handles.
  std::vector<operator_state_handle> checkpoint(std::int64_t id) {
    std::vector<operator_state_handle> handles;
    for (int i = 0; i < subtasks_.parallelism(); ++i) {
      (*this)[i].snapshot_state(id);
      handles.push_back(subtasks_.snapshot(i, id));
    }
    return handles;
  }

  void complete(std::int64_t id) {
    for (auto& s : sinks_)
      s->notify_checkpoint_complete(id);
  }

  /// End of input at every subtask, then the final checkpoint `id`, its completion, and close.
  void finish(std::int64_t final_checkpoint_id) {
    for (auto& s : sinks_)
      s->finish();
    checkpoint(final_checkpoint_id);
    complete(final_checkpoint_id);
    for (auto& s : sinks_)
      s->close();
  }

private:
  operator_subtasks subtasks_;
  std::vector<std::unique_ptr<sink<T>>> sinks_;
};

} // namespace sluice::test
