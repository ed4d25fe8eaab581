#include "sluice/actors/buffer_pool.hpp"

#include <utility>

namespace sluice {

namespace {

/// Slack a taken buffer may have beyond twice the capacity asked for.
constexpr std::size_t page_bytes = 4096;

} // namespace

std::vector<char> buffer_pool::take(std::size_t capacity) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = free_.lower_bound(capacity);
    if (it != free_.end() && it->first <= 2 * capacity + page_bytes) {
      auto bytes = std::move(it->second.back());
      it->second.pop_back();
      if (it->second.empty())
        free_.erase(it);
      kept_bytes_ -= bytes.capacity();
      return bytes;
    }
  }
  std::vector<char> bytes;
  bytes.reserve(capacity + capacity / 8);
  return bytes;
}

void buffer_pool::give(std::vector<char>&& bytes) {
  const auto capacity = bytes.capacity();
  if (capacity == 0)
    return;
  std::vector<char> dropped; // freed outside the lock
  std::lock_guard<std::mutex> lock(mutex_);
  if (kept_bytes_ + capacity > max_bytes_) {
    dropped = std::move(bytes);
    return;
  }
  free_[capacity].push_back(std::move(bytes));
  kept_bytes_ += capacity;
}

void buffer_pool::trim() {
  decltype(free_) dropped; // freed outside the lock
  std::lock_guard<std::mutex> lock(mutex_);
  dropped.swap(free_);
  kept_bytes_ = 0;
}

std::size_t buffer_pool::kept_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return kept_bytes_;
}

buffer_pool& buffer_pool::process() {
  static buffer_pool pool(std::size_t{32} << 20);
  return pool;
}

} // namespace sluice
