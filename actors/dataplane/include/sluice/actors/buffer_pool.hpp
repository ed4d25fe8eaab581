#pragma once
// Recycled batch buffers, as Flink's network buffer pool: a batch's bytes, once the receiving
// subtask has processed them, become the memory of a batch the process writes next (an output
// gate's new batch, or a batch received from another process copied out of CAF's buffer).
// A new batch would otherwise be allocated and zero-filled — for batches of hundreds of KiB,
// fresh pages — only to be overwritten. Thread-safe: buffers move between subtask threads
// and the middleman's thread.

#include <cstddef>
#include <map>
#include <mutex>
#include <vector>

namespace sluice {

class buffer_pool {
public:
  /// Keeps at most `max_bytes` of buffer capacity; what is given beyond that is freed.
  explicit buffer_pool(std::size_t max_bytes) : max_bytes_(max_bytes) {}
  buffer_pool(const buffer_pool&) = delete;
  buffer_pool& operator=(const buffer_pool&) = delete;

  /// A vector whose capacity is at least `capacity` and at most twice it (plus a page):
  /// the buffer given most recently among those of the smallest fitting capacity, holding
  /// whatever it held; or, if none fits, a new empty one with an eighth more reserved (batches
  /// differ in size by their last record: a batch received from another process then still
  /// fits an output gate's next batch).
  std::vector<char> take(std::size_t capacity);

  /// Frees every buffer kept.
  void trim();

  /// Keeps `bytes`'s memory for a later take(), or frees it if the pool is full.
  void give(std::vector<char>&& bytes);

  /// Capacity of the buffers kept, in bytes.
  std::size_t kept_bytes() const;
  /// The most capacity it keeps.
  std::size_t max_bytes() const { return max_bytes_; }

  /// The pool of this process's batches (32 MiB).
  static buffer_pool& process();

private:
  mutable std::mutex mutex_;
  /// By capacity; each list a stack (the last given is the warmest in the caches).
  std::map<std::size_t, std::vector<std::vector<char>>> free_;
  std::size_t kept_bytes_ = 0;
  const std::size_t max_bytes_;
};

} // namespace sluice
