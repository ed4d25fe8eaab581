#pragma once
// Counters of one subtask: written by its actor only, read by anyone (tests, metrics).

#include "sluice/operators/api/job_result.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <mutex>
#include <string>
#include <vector>

namespace sluice {

/// A counter with a single writer: a plain add, readable from other threads.
class counter {
public:
  void add(std::uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  void set(std::uint64_t n) { v_.store(n, std::memory_order_relaxed); }
  void raise_to(std::uint64_t n) {
    if (n > get())
      set(n);
  }
  std::uint64_t get() const { return v_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::uint64_t> v_{0};
};

/// A signed value with a single writer (a watermark), readable from other threads.
class signed_gauge {
public:
  void set(std::int64_t n) { v_.store(n, std::memory_order_relaxed); }
  std::int64_t get() const { return v_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::int64_t> v_{std::numeric_limits<std::int64_t>::min()};
};

struct subtask_counters {
  std::string task;
  int vertex = 0;
  int subtask = 0;
  counter records_in;
  counter records_out;
  counter batches_in;
  counter batches_out;
  counter backpressured_ns;
  counter credits_outstanding;
  counter max_in_flight;
  counter max_credits;
  counter bytes_in;
  counter bytes_out;
  counter busy_ns; ///< processing input or emitting from a source (with metrics on)
  counter batches_waiting; ///< batches queued at the output gate for lack of credit
  signed_gauge input_watermark;  ///< the combined watermark of the inputs (min: none yet)
  signed_gauge output_watermark; ///< the latest watermark emitted (min: none yet)
  /// A source's backlog after its latest step (source_backlog; min: not known yet).
  signed_gauge pending_records;
  signed_gauge pending_bytes;
  signed_gauge input_bytes;
  signed_gauge bytes_read;
  std::atomic<std::int64_t> started_ms{0}; ///< when it started (ms since the epoch)
  std::atomic<bool> finished{false};

  /// The subtask's thread publishes what its operators' metrics read (operator_chain::metrics):
  /// `operators` and the previous publication trade places, so the next read reuses the
  /// previous one's storage.
  void publish(std::vector<operator_metrics>& operators) {
    std::lock_guard<std::mutex> lock(operators_mutex_);
    operators_.swap(operators);
  }

  subtask_metrics snapshot() const {
    subtask_metrics m;
    m.task = task;
    m.vertex = vertex;
    m.subtask = subtask;
    m.records_in = records_in.get();
    m.records_out = records_out.get();
    m.batches_in = batches_in.get();
    m.batches_out = batches_out.get();
    m.backpressured_ns = backpressured_ns.get();
    m.credits_outstanding = credits_outstanding.get();
    m.max_in_flight = max_in_flight.get();
    m.max_credits = max_credits.get();
    m.bytes_in = bytes_in.get();
    m.bytes_out = bytes_out.get();
    m.busy_ns = busy_ns.get();
    m.batches_waiting = batches_waiting.get();
    m.input_watermark = input_watermark.get();
    m.output_watermark = output_watermark.get();
    m.started_ms = started_ms.load(std::memory_order_relaxed);
    m.finished = finished.load();
    const auto known = [](const signed_gauge& g) { return std::max<std::int64_t>(g.get(), -1); };
    m.pending_records = known(pending_records);
    m.pending_bytes = known(pending_bytes);
    m.input_bytes = known(input_bytes);
    m.bytes_read = known(bytes_read);
    std::lock_guard<std::mutex> lock(operators_mutex_);
    m.operators = operators_;
    return m;
  }

private:
  mutable std::mutex operators_mutex_;
  std::vector<operator_metrics> operators_; ///< the latest published
};

/// Adds the time from its construction to its destruction to `counters.busy_ns` when `on`
/// (two clock reads per batch or source step; none with metrics off).
class busy_clock {
public:
  busy_clock(bool on, subtask_counters& counters) : counters_(on ? &counters : nullptr) {
    if (counters_)
      start_ = std::chrono::steady_clock::now();
  }
  ~busy_clock() {
    if (counters_)
      counters_->busy_ns.add(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                               start_)
              .count()));
  }
  busy_clock(const busy_clock&) = delete;
  busy_clock& operator=(const busy_clock&) = delete;

private:
  subtask_counters* counters_;
  std::chrono::steady_clock::time_point start_{};
};

} // namespace sluice
