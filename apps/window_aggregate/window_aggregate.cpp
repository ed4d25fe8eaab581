// window_aggregate: count, sum, min and max of the values of each key's event-time windows.
//
//   window_aggregate [--input PATH] [--output PATH] [--late-output PATH]
//                    --window tumbling|sliding|session [--size MS] [--slide MS] [--gap MS]
//                    [--offset MS] [--out-of-orderness MS] [--allowed-lateness MS]
//                    [--idle-timeout MS] [--skip-malformed] [common flags]
//
// Input lines are `key,timestamp_ms,value`; each window firing writes
// `key,window_start,window_end,count,sum,min,max`, and records dropped as late are written
// unchanged to --late-output. The results are those of Flink's DataStream API with a watermark
// after every record: the input is read, parsed and stamped by one subtask in input order, and
// the watermark interval defaults to 0 (a watermark after every record) unless
// --watermark-interval-ms is given. Output files are written by one sink subtask each.

#include "aggregation.hpp"
#include "event.hpp"
#include "line_io.hpp"
#include "options.hpp"

#include <sluice/sluice.hpp>

#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>

namespace {

using namespace window_aggregate;

sluice::watermark_strategy<event> strategy_of(const options& o) {
  auto strategy =
      sluice::watermark_strategy<event>::for_bounded_out_of_orderness(
          std::chrono::milliseconds(o.out_of_orderness))
          .with_timestamp_assigner([](const event& e, std::int64_t) { return e.timestamp; });
  if (o.idle_timeout)
    strategy = strategy.with_idleness(std::chrono::milliseconds(*o.idle_timeout));
  return strategy;
}

/// Writes the records of `stream` to the file `path` (or stdout); with checkpointing, `path` is
/// a directory of exactly-once part files (committed with checkpoints) instead.
template <class Stream>
void write_lines(Stream stream, const std::optional<std::string>& path, bool checkpointing) {
  using T = typename Stream::value_type;
  if (checkpointing && path)
    stream.sink_to(sluice::text_file_sink<T>{*path}, *path);
  else
    stream.sink_to(line_sink<T>{path}, path.value_or("stdout"));
}

/// Windows the keyed events with `assigner`, writing firings and (if asked) late records.
template <class Keyed, class Assigner>
void aggregate_windows(Keyed keyed, Assigner assigner, const options& o) {
  const sluice::output_tag<event> late_tag{"late events"};
  auto windowed = keyed.window(std::move(assigner));
  windowed.allowed_lateness(o.allowed_lateness);
  if (o.late_output)
    windowed.side_output_late_data(late_tag);
  auto results = windowed.aggregate(stats_aggregate{}, add_window_bounds{}, "count/sum/min/max");
  write_lines(results, o.output, o.checkpointing);
  if (o.late_output)
    write_lines(results.get_side_output(late_tag).map([](event e) { return std::move(e.line); },
                                                      "original line"),
                o.late_output, o.checkpointing);
}

} // namespace

int main(int argc, char** argv) {
  sluice::environment env{argc, argv, flag_specs()};
  if (!flag_given(argc, argv, "watermark-interval-ms"))
    env.config().watermark_interval_ms = 0;
  try {
    const options o = read_options(env);
    auto skipped = std::make_shared<std::atomic<std::int64_t>>(0);
    auto events = env.from_source(line_source{o.input}, o.input.value_or("stdin"))
                      .flat_map(event_parser{o.input ? "'" + *o.input + "'" : "stdin",
                                             o.skip_malformed, skipped},
                                "parse")
                      .set_parallelism(1)
                      .assign_timestamps_and_watermarks(strategy_of(o))
                      .set_parallelism(1);
    auto keyed = events.key_by([](const event& e) { return e.key; });
    switch (o.kind) {
    case window_kind::tumbling:
      aggregate_windows(keyed, sluice::tumbling_windows{o.size, o.offset}, o);
      break;
    case window_kind::sliding:
      aggregate_windows(keyed, sluice::sliding_windows{o.size, o.slide, o.offset}, o);
      break;
    case window_kind::session:
      aggregate_windows(keyed, sluice::session_windows{o.gap}, o);
      break;
    }
    auto result = env.execute("window aggregate");
    if (!result.ok())
      std::cerr << "window_aggregate: error: " << result.error() << '\n';
    if (o.skip_malformed)
      std::cerr << "window_aggregate: skipped " << skipped->load() << " malformed line(s)\n";
    return result.exit_code();
  } catch (const sluice::config_error& e) {
    std::cerr << "window_aggregate: error: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "window_aggregate: error: " << e.what() << '\n';
    return 1;
  }
}
