// kafka_window_aggregate: per-key tumbling-window count, sum, min and max of the
// `key,timestamp_ms,value` lines of a Kafka topic, written as rows to a PostgreSQL table.
//
//   kafka_window_aggregate --bootstrap-servers B --input-topic T --postgres URL --table NAME
//       --size MS [--bounded] [--group-id G] [--delivery exactly-once|at-least-once]
//       [--batch-size N] [--out-of-orderness MS] [common flags]
//
// The table and its rows are postgres_window_aggregate's (apps/postgres/window_table.hpp); the
// event time is the line's timestamp_ms, with one watermark per partition. A malformed line fails
// the job naming its topic, partition and offset.

#include "../postgres/table_flags.hpp"
#include "../postgres/window_table.hpp"
#include "../window_aggregate/event.hpp"

#include <sluice/connectors/kafka/kafka_source.hpp>
#include <sluice/sluice.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <string>
#include <utility>

namespace {

using window_aggregate::event;

event parse_record(const sluice::kafka::kafka_record& r) {
  event e;
  std::string error;
  if (!window_aggregate::parse_event(std::string(r.value), e, error))
    throw std::runtime_error("topic '" + std::string(r.topic) + "' partition " +
                             std::to_string(r.partition) + " offset " +
                             std::to_string(r.offset) + ": " + error);
  return e;
}

sluice::data_stream<event> read_events(sluice::environment& env, std::int64_t out_of_orderness) {
  const auto topic = pg_apps::required_flag(env, "input-topic");
  auto source = sluice::kafka::kafka_source<event>{}
                    .set_bootstrap_servers(pg_apps::required_flag(env, "bootstrap-servers"))
                    .set_topics({topic})
                    .set_group_id(env.flag_or("group-id", "kafka_window_aggregate"))
                    .set_starting_offsets(sluice::kafka::start_offsets::earliest())
                    .set_deserializer(parse_record);
  if (env.flag("bounded"))
    source.set_bounded();
  return env.from_source(
      std::move(source), "topic " + topic,
      sluice::watermark_strategy<event>::for_bounded_out_of_orderness(
          std::chrono::milliseconds(out_of_orderness))
          .with_timestamp_assigner([](const event& e, std::int64_t) { return e.timestamp; }));
}

} // namespace

int main(int argc, char** argv) {
  auto flags = pg_apps::window_table_flag_specs();
  flags.insert(flags.begin(),
               {{"bootstrap-servers", "Kafka bootstrap servers HOST:PORT[,...]", {}, false},
                {"input-topic", "topic of the key,timestamp_ms,value lines", {}, false},
                {"bounded", "stop at the end offsets current at start", {}, true},
                {"group-id", "consumer group (committed offsets, for monitoring)",
                 "kafka_window_aggregate", false}});
  try {
    sluice::environment env{argc, argv, flags};
    const auto target = pg_apps::window_table_flags(env);
    pg_apps::windows_to_table(read_events(env, target.out_of_orderness), target);
    return env.execute("kafka window aggregate").exit_code();
  } catch (const std::exception& e) {
    std::cerr << "kafka_window_aggregate: error: " << e.what() << '\n';
    return 1;
  }
}
