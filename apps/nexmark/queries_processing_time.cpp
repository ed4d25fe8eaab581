// q12 (bids per bidder in 10 s tumbling windows of processing time) and its windows.

#include "processing_time_counts.hpp"

#include <algorithm>
#include <utility>

namespace nexmark {

void processing_time_counts::open(const sluice::runtime_context& ctx) {
  window_ = &ctx.get_state(sluice::value_state_descriptor<bidder_window>("q12 window"));
}

void processing_time_counts::process_element(bidder_bid&& b, context& ctx,
                                             sluice::collector<row>& out) {
  const std::int64_t start = window_start(ctx.current_processing_time(), size_);
  auto open = window_->value();
  if (open && open->start != start) { // its end passed, its timer has not fired yet
    write_window(ctx, *open, out);
    open.reset();
  }
  if (!open) {
    open = bidder_window{start, 0, 0};
    ctx.timer_service().register_processing_time_timer(start + size_);
    ctx.timer_service().register_event_time_timer(sluice::max_watermark);
  }
  ++open->bids;
  open->emitted_ns = std::max(open->emitted_ns, b.emitted_ns);
  window_->update(*open);
}

void processing_time_counts::on_timer(std::int64_t, on_timer_context& ctx,
                                      sluice::collector<row>& out) {
  if (const auto open = window_->value())
    write_window(ctx, *open, out);
}

void processing_time_counts::write_window(context& ctx, const bidder_window& w,
                                          sluice::collector<row>& out) {
  out.collect(row{csv(ctx.current_key(), w.bids, w.start, w.start + size_), w.emitted_ns});
  ctx.timer_service().delete_processing_time_timer(w.start + size_);
  ctx.timer_service().delete_event_time_timer(sluice::max_watermark);
  window_->clear();
}

sluice::data_stream<row> query_q12(sluice::data_stream<event> events) {
  constexpr std::int64_t size = 10000;
  return events.filter([](const event& e) { return e.is_bid(); }, "bids")
      .map(
          [](const event& e) {
            return bidder_bid{e.new_bid.bidder, e.emitted_ns};
          },
          "bidders")
      .key_by([](const bidder_bid& b) { return b.bidder; })
      .process(processing_time_counts{size}, "q12 bids per processing-time window");
}

} // namespace nexmark
