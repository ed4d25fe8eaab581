#include "window_table.hpp"

#include "table_flags.hpp"
#include "../window_aggregate/aggregation.hpp"

#include <tuple>
#include <utility>

namespace pg_apps {

using window_aggregate::window_line;

window_table window_table_flags(const sluice::environment& env) {
  window_table t;
  t.url = required_flag(env, "postgres");
  t.table = table_flag(env);
  t.size = number_flag(env, "size", 0, 1);
  if (t.size == 0)
    throw sluice::config_error("flag --size is required");
  t.out_of_orderness = number_flag(env, "out-of-orderness", 0, 0);
  t.batch_size = number_flag(env, "batch-size", 1000, 1);
  t.delivery = delivery_flag(env, "exactly-once");
  return t;
}

std::vector<sluice::flag_spec> window_table_flag_specs() {
  return {{"postgres", "PostgreSQL connection URL (postgresql://user@host:port/db)", {}, false},
          {"table", "table for the rows (created if missing)", {}, false},
          {"size", "tumbling window size in ms", {}, false},
          {"delivery", "exactly-once (default) or at-least-once", {}, false},
          {"batch-size", "rows per round trip (default 1000)", {}, false},
          {"out-of-orderness", "watermark delay in ms (default 0)", {}, false}};
}

void windows_to_table(sluice::data_stream<window_aggregate::event> events,
                      const window_table& target) {
  create_table(target.url, target.table,
               "key text, window_start bigint, window_end bigint, count bigint, sum bigint, "
               "min bigint, max bigint");
  auto sink = sluice::postgres_sink<window_line>::builder()
                  .connection(target.url)
                  .statement("INSERT INTO " + target.table +
                             " (key, window_start, window_end, count, sum, min, max) VALUES "
                             "($1, $2, $3, $4, $5, $6, $7)")
                  .binder([](const window_line& w, sluice::pg_params& p) {
                    std::apply([&](const auto&... v) { (p.add(v), ...); }, w);
                  })
                  .batch_size(static_cast<std::size_t>(target.batch_size))
                  .delivery(target.delivery)
                  .build();
  events.key_by([](const window_aggregate::event& e) { return e.key; })
      .window(sluice::tumbling_windows{target.size, 0})
      .aggregate(window_aggregate::stats_aggregate{}, window_aggregate::add_window_bounds{},
                 "count/sum/min/max")
      .sink_to(std::move(sink), "table " + target.table);
}

} // namespace pg_apps
