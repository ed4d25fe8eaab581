#pragma once
// collecting_sink: keeps every record in memory, for tests.

#include "sluice/operators/sinks/sink.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace sluice {

/// Collects its input into a store shared by all copies, so the copy a test keeps sees what the
/// subtasks' copies received. Each record is stored as it arrives (under a lock), so results
/// are complete after execute() returns, even for a failed job.
template <class T>
class collecting_sink final : public copyable_sink<collecting_sink<T>, T> {
public:
  void open(const runtime_context& ctx) override {
    subtask_ = ctx.subtask_index;
    std::lock_guard<std::mutex> guard(store_->mutex);
    store_->subtasks = std::max(store_->subtasks, ctx.parallelism);
  }

  void write(T&& value) override {
    {
      std::lock_guard<std::mutex> guard(store_->mutex);
      store_->records.emplace_back(subtask_, std::move(value));
    }
    store_->arrived.notify_all();
  }

  /// Waits until at least `count` records arrived (true), or `timeout` passed (false): a test
  /// of a running job synchronises on its output with it.
  template <class Rep, class Period>
  bool wait_for(std::size_t count, std::chrono::duration<Rep, Period> timeout) const {
    std::unique_lock<std::mutex> lock(store_->mutex);
    return store_->arrived.wait_for(lock, timeout,
                                    [&] { return store_->records.size() >= count; });
  }

  /// Every record collected, by all subtasks, in arrival order.
  std::vector<T> results() const {
    std::lock_guard<std::mutex> guard(store_->mutex);
    std::vector<T> out;
    out.reserve(store_->records.size());
    for (const auto& r : store_->records)
      out.push_back(r.second);
    return out;
  }

  /// The records of each subtask (index = subtask index), each in arrival order.
  std::vector<std::vector<T>> results_by_subtask() const {
    std::lock_guard<std::mutex> guard(store_->mutex);
    std::vector<std::vector<T>> out(static_cast<std::size_t>(store_->subtasks));
    for (const auto& r : store_->records) {
      const auto index = static_cast<std::size_t>(r.first);
      if (index >= out.size())
        out.resize(index + 1);
      out[index].push_back(r.second);
    }
    return out;
  }

  /// Forgets all records (and the parallelism seen).
  void clear() {
    std::lock_guard<std::mutex> guard(store_->mutex);
    store_->records.clear();
    store_->subtasks = 0;
  }

private:
  struct store {
    mutable std::mutex mutex;
    mutable std::condition_variable arrived;
    std::vector<std::pair<int, T>> records;
    int subtasks = 0;
  };

  std::shared_ptr<store> store_ = std::make_shared<store>();
  int subtask_ = 0;
};

} // namespace sluice
