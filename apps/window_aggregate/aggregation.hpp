#pragma once
// The window functions of window_aggregate: an incremental count/sum/min/max accumulator, and
// the process function that adds the key and the window's bounds to the result.

#include "event.hpp"

#include <sluice/sluice.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

namespace window_aggregate {

/// An output line: key,window_start,window_end,count,sum,min,max.
using window_line = std::tuple<std::string, std::int64_t, std::int64_t, std::int64_t,
                               std::int64_t, std::int64_t, std::int64_t>;

struct stats_aggregate {
  window_stats create_accumulator() const { return {}; }
  window_stats add(const event& e, window_stats acc) const {
    acc.min = acc.count == 0 ? e.value : std::min(acc.min, e.value);
    acc.max = acc.count == 0 ? e.value : std::max(acc.max, e.value);
    ++acc.count;
    acc.sum += e.value;
    return acc;
  }
  window_stats merge(window_stats a, const window_stats& b) const {
    if (b.count == 0)
      return a;
    if (a.count == 0)
      return b;
    return {a.count + b.count, a.sum + b.sum, std::min(a.min, b.min), std::max(a.max, b.max)};
  }
  window_stats get_result(const window_stats& acc) const { return acc; }
};

class add_window_bounds final
    : public sluice::process_window_function<std::string, window_stats, window_line> {
public:
  void process(const context& ctx, const std::vector<window_stats>& results,
               sluice::collector<window_line>& out) override {
    for (const auto& s : results)
      out.collect(window_line{ctx.key(), ctx.window().start, ctx.window().end, s.count, s.sum,
                              s.min, s.max});
  }
};

} // namespace window_aggregate
