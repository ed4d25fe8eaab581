#pragma once
// Counters of one subtask: written by its actor only, read by anyone (tests, metrics).

#include "sluice/operators/job_result.hpp"

#include <atomic>
#include <cstdint>
#include <string>

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
  std::atomic<bool> finished{false};

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
    m.finished = finished.load();
    return m;
  }
};

} // namespace sluice
