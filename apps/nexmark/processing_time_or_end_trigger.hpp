#pragma once
// q12's trigger: a processing-time window fires when the clock reaches its end, or when the
// input ends, whichever comes first.

#include <sluice/sluice.hpp>

#include <cstdint>

namespace nexmark {

/// Fires (and purges) a processing-time window when the clock reaches window.max_timestamp(),
/// as sluice::processing_time_trigger does, or when the final watermark (max_watermark: the end
/// of a bounded input) arrives. Sluice's processing-time windows do not fire at the end of
/// input, so the windows still open then would be lost; with this trigger every element is in
/// exactly one fired window.
class processing_time_or_end_trigger final : public sluice::trigger<sluice::time_window> {
public:
  sluice::trigger_result on_element(std::int64_t, const sluice::time_window& window,
                                    sluice::trigger_context& ctx) const override {
    ctx.register_processing_time_timer(window.max_timestamp());
    ctx.register_event_time_timer(sluice::max_watermark);
    return sluice::trigger_result::continue_;
  }
  sluice::trigger_result on_event_time(std::int64_t time, const sluice::time_window&,
                                       sluice::trigger_context&) const override {
    return time == sluice::max_watermark ? sluice::trigger_result::fire_and_purge
                                         : sluice::trigger_result::continue_;
  }
  sluice::trigger_result on_processing_time(std::int64_t, const sluice::time_window&,
                                            sluice::trigger_context&) const override {
    return sluice::trigger_result::fire_and_purge;
  }
  void clear(const sluice::time_window& window, sluice::trigger_context& ctx) const override {
    ctx.delete_processing_time_timer(window.max_timestamp());
    ctx.delete_event_time_timer(sluice::max_watermark);
  }
};

} // namespace nexmark
