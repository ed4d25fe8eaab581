// kafka_word_count: the rolling count of every word of the lines of a Kafka topic.
//
//   kafka_word_count --bootstrap-servers B --input-topic T
//                    (--output-topic U | --postgres URL --table NAME) [--bounded]
//                    [--delivery exactly-once|at-least-once|none] [--group-id G] [flags]
//
// Record values are lines; words are split as word_count does. Each new count is written to U
// as the value `word,count` keyed by the word, or appended as a row (word text, count bigint) to
// the table (created if missing; --delivery exactly-once or at-least-once). With --bounded the
// job stops at the end offsets current at start. The output is chosen in one place (sink_counts).

#include "../postgres/table_flags.hpp"
#include "../word_count/split_words.hpp"

#include <sluice/connectors/kafka/kafka_sink.hpp>
#include <sluice/connectors/kafka/kafka_source.hpp>
#include <sluice/connectors/postgres/postgres_sink.hpp>
#include <sluice/sluice.hpp>

#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace {

using word_count_t = std::pair<std::string, std::int64_t>;
namespace kafka = sluice::kafka;

using pg_apps::required_flag;

sluice::data_stream<std::string> read_lines(sluice::environment& env) {
  auto topic = required_flag(env, "input-topic");
  auto source = kafka::kafka_source<std::string>{}
                    .set_bootstrap_servers(required_flag(env, "bootstrap-servers"))
                    .set_topics({topic})
                    .set_group_id(env.flag_or("group-id", "kafka_word_count"))
                    .set_starting_offsets(kafka::start_offsets::earliest())
                    .set_value_deserializer([](std::string_view v) { return std::string(v); });
  if (env.flag("bounded"))
    source.set_bounded();
  return env.from_source(std::move(source), "topic " + topic);
}

/// Appends the counts as rows (word, count) to the table of --table at --postgres.
void counts_to_table(sluice::environment& env, sluice::data_stream<word_count_t> counts) {
  const auto url = required_flag(env, "postgres");
  const auto table = pg_apps::table_flag(env);
  const auto delivery = pg_apps::delivery_flag(env, "at-least-once");
  pg_apps::create_table(url, table, "word text, count bigint");
  auto sink = sluice::postgres_sink<word_count_t>::builder()
                  .connection(url)
                  .statement("INSERT INTO " + table + " (word, count) VALUES ($1, $2)")
                  .binder([](const word_count_t& wc, sluice::pg_params& p) {
                    p.add(wc.first);
                    p.add(wc.second);
                  })
                  .delivery(delivery)
                  .build();
  counts.sink_to(std::move(sink), "table " + table);
}

/// Writes the counts to the topic of --output-topic.
void counts_to_topic(sluice::environment& env, sluice::data_stream<word_count_t> counts) {
  auto topic = required_flag(env, "output-topic");
  kafka::delivery_guarantee delivery;
  try {
    delivery = kafka::parse_delivery_guarantee(env.flag_or("delivery", "at-least-once"));
  } catch (const std::invalid_argument& e) {
    throw sluice::config_error(std::string("flag --delivery: ") + e.what());
  }
  auto sink = kafka::kafka_sink<word_count_t>{}
                  .set_bootstrap_servers(required_flag(env, "bootstrap-servers"))
                  .set_topic(topic)
                  .set_delivery(delivery)
                  .set_transactional_id_prefix("kafka_word_count-" + topic)
                  .set_serializer([](const word_count_t& wc) {
                    kafka::kafka_message m;
                    m.key = wc.first;
                    m.value = wc.first + "," + std::to_string(wc.second);
                    return m;
                  });
  sink.validate(env.config());
  counts.sink_to(std::move(sink), "topic " + topic);
}

/// Writes the counts where the flags say: --output-topic or --postgres with --table.
void sink_counts(sluice::environment& env, sluice::data_stream<word_count_t> counts) {
  const bool to_topic = env.flag("output-topic").has_value();
  const bool to_table = env.flag("postgres").has_value() || env.flag("table").has_value();
  if (to_topic && to_table)
    throw sluice::config_error("flags --output-topic and --postgres/--table exclude each other");
  if (to_table)
    counts_to_table(env, std::move(counts));
  else if (to_topic)
    counts_to_topic(env, std::move(counts));
  else
    throw sluice::config_error("flag --output-topic or flags --postgres and --table are required");
}

} // namespace

int main(int argc, char** argv) {
  try {
    sluice::environment env{
        argc, argv,
        {{"bootstrap-servers", "Kafka bootstrap servers HOST:PORT[,...]", {}, false},
         {"input-topic", "topic of the lines to count", {}, false},
         {"output-topic", "topic of the counts (values word,count keyed by word)", {}, false},
         {"postgres", "PostgreSQL URL, instead of --output-topic (with --table)", {}, false},
         {"table", "table of the rows (word text, count bigint), created if missing", {}, false},
         {"bounded", "stop at the end offsets current at start", {}, true},
         {"delivery", "exactly-once|at-least-once|none", "at-least-once", false},
         {"group-id", "consumer group (committed offsets, for monitoring)", "kafka_word_count",
          false}}};
    auto counts = read_lines(env)
                      .flat_map([](std::string line, sluice::collector<std::string>& out) {
                        word_count::split_words(line, out);
                      }, "split words")
                      .map([](std::string word) { return word_count_t{std::move(word), 1}; },
                           "pair with 1")
                      .key_by([](const word_count_t& wc) { return wc.first; })
                      .sum<1>();
    sink_counts(env, counts);
    return env.execute("kafka word count").exit_code();
  } catch (const std::exception& e) {
    std::cerr << "kafka_word_count: error: " << e.what() << '\n';
    return 1;
  }
}
