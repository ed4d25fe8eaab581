#include "sluice/checkpoint/checkpoint_stats.hpp"

#include <algorithm>

namespace sluice {

std::uint64_t checkpoint_stats::state_bytes() const {
  std::uint64_t n = 0;
  for (const auto& a : acks)
    n += a.state_bytes;
  return n;
}

std::uint64_t checkpoint_stats::written_bytes() const {
  std::uint64_t n = 0;
  for (const auto& a : acks)
    n += a.written_bytes;
  return n;
}

std::int64_t checkpoint_stats::max_alignment_ms() const {
  std::int64_t m = 0;
  for (const auto& a : acks)
    m = std::max(m, a.measured.alignment_ms);
  return m;
}

std::int64_t checkpoint_stats::max_start_delay_ms() const {
  std::int64_t m = 0;
  for (const auto& a : acks)
    m = std::max(m, a.measured.start_delay_ms);
  return m;
}

std::string checkpoint_stats::to_string(std::int64_t now_ms) const {
  std::string out = std::string(sluice::to_string(kind)) + " " + std::to_string(checkpoint_id);
  const auto duration = std::to_string(duration_ms(now_ms)) + " ms";
  switch (status) {
  case checkpoint_status::in_progress:
    out += " in progress for " + duration;
    break;
  case checkpoint_status::completed:
    out += " completed in " + duration;
    break;
  case checkpoint_status::failed:
    out += " failed after " + duration + " (" + failure + ")";
    break;
  }
  out += ": " + std::to_string(acks.size()) + "/" + std::to_string(expected_acks) +
         " subtasks, " + std::to_string(state_bytes()) + " bytes, alignment max " +
         std::to_string(max_alignment_ms()) + " ms, start delay max " +
         std::to_string(max_start_delay_ms()) + " ms";
  if (written_bytes() != state_bytes())
    out += ", " + std::to_string(written_bytes()) + " bytes written";
  return out;
}

void checkpoint_stats_history::add(checkpoint_stats stats) {
  if (capacity_ == 0)
    return;
  if (entries_.size() == capacity_)
    entries_.pop_front();
  entries_.push_back(std::move(stats));
}

const checkpoint_stats* checkpoint_stats_history::find(std::int64_t checkpoint_id) const {
  for (const auto& e : entries_)
    if (e.checkpoint_id == checkpoint_id)
      return &e;
  return nullptr;
}

} // namespace sluice
