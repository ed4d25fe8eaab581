#pragma once
// q12's windows: per bidder, its bids in tumbling windows of processing time, closed when the
// clock passes a window's end or when the input ends.

#include "queries.hpp"

#include <sluice/sluice.hpp>

#include <cstdint>

namespace nexmark {

/// A bid as q12 sees it: its bidder (the key), and when the generator emitted it.
struct bidder_bid {
  std::int64_t bidder = 0;
  std::int64_t emitted_ns = 0;
  SLUICE_FIELDS(bidder, emitted_ns)
};

/// The open window of one bidder: its start (epoch ms of processing time) and its bids.
struct bidder_window {
  std::int64_t start = 0;
  std::int64_t bids = 0;
  std::int64_t emitted_ns = 0;
  SLUICE_FIELDS(start, bids, emitted_ns)
};

/// Keyed by bidder: counts each bid in the window of `size` ms of the clock when it arrives,
/// and writes `bidder,bid_count,window_start,window_end` once per window: when a processing-time
/// timer at the window's end fires (the clock has reached the end, so no later bid belongs to
/// it), when a bid of a later window comes first, or at the final watermark (max_watermark:
/// the input ended). Every bid is in exactly one line.
class processing_time_counts final
    : public sluice::keyed_process_function<std::int64_t, bidder_bid, row> {
public:
  explicit processing_time_counts(std::int64_t size) : size_(size) {}
  void open(const sluice::runtime_context& ctx) override;
  void process_element(bidder_bid&& b, context& ctx, sluice::collector<row>& out) override;
  void on_timer(std::int64_t time, on_timer_context& ctx, sluice::collector<row>& out) override;

private:
  /// Writes the current bidder's open window and forgets it with its timers.
  void write_window(context& ctx, const bidder_window& w, sluice::collector<row>& out);

  std::int64_t size_;
  sluice::value_state<bidder_window>* window_ = nullptr;
};

} // namespace nexmark
