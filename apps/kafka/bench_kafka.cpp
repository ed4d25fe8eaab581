// bench_kafka: the Kafka source and sink against librdkafka's mock cluster (in this process),
// each beside librdkafka's raw consumer or producer moving the same records in the same run.
//
//   bench_kafka [--records N] [--value-bytes B] [--partitions P] [--repeat R] [--json] [flags]
//
// The mock keeps about 5 MB per partition, which bounds --records (checked at start).
//
// Source: a job kafka_source (bounded, parallelism 1) -> discarding sink, against one raw
// consumer assigned all partitions polling until it has every record. Sink: a job generator ->
// kafka_sink (at-least-once, flushed at the end), against one raw producer of the same values,
// flushed. Runs are interleaved, the best of --repeat of each kept; ratio = sluice / raw.

#include "../bench/bench_util.hpp"

#include <sluice/connectors/kafka/kafka_sink.hpp>
#include <sluice/connectors/kafka/kafka_source.hpp>
#include <sluice/sluice.hpp>

#include <librdkafka/rdkafka_mock.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

namespace {

namespace kafka = sluice::kafka;

struct options {
  std::uint64_t records;
  std::size_t value_bytes;
  int partitions;
  int repeat;
};

/// The value of record i: its index, padded to value_bytes.
std::string value_of(std::uint64_t i, std::size_t bytes) {
  auto v = std::to_string(i);
  v.resize(std::max(bytes, v.size()), 'x');
  return v;
}

struct mock_deleter {
  void operator()(rd_kafka_mock_cluster_t* c) const { rd_kafka_mock_cluster_destroy(c); }
};

/// Produces `o.records` values to `topic` with a raw producer; returns records/s.
double raw_produce(const std::string& servers, const std::string& topic, const options& o) {
  auto rk = kafka::make_handle(RD_KAFKA_PRODUCER, {{"bootstrap.servers", servers}}, "raw producer");
  return static_cast<double>(o.records) / bench::seconds_of([&] {
    for (std::uint64_t i = 0; i < o.records; ++i) {
      const auto v = value_of(i, o.value_bytes);
      while (rd_kafka_producev(rk.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                               RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                               RD_KAFKA_V_VALUE(const_cast<char*>(v.data()), v.size()),
                               RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
        rd_kafka_poll(rk.get(), 10);
      rd_kafka_poll(rk.get(), 0);
    }
    if (rd_kafka_flush(rk.get(), 600000))
      throw std::runtime_error("raw producer: not flushed");
  });
}

/// Reads every record of `topic` with one raw consumer; returns records/s.
double raw_consume(const std::string& servers, const std::string& topic, const options& o) {
  auto rk = kafka::make_handle(RD_KAFKA_CONSUMER,
                               {{"bootstrap.servers", servers}, {"group.id", "raw"},
                                {"enable.auto.commit", "false"}, {"auto.offset.reset", "error"}},
                               "raw consumer");
  return static_cast<double>(o.records) / bench::seconds_of([&] {
    auto* list = rd_kafka_topic_partition_list_new(o.partitions);
    for (int p = 0; p < o.partitions; ++p)
      rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = 0;
    rd_kafka_assign(rk.get(), list);
    rd_kafka_topic_partition_list_destroy(list);
    std::uint64_t seen = 0;
    volatile std::size_t bytes = 0;
    while (seen < o.records) {
      auto* m = rd_kafka_consumer_poll(rk.get(), 100);
      if (!m)
        continue;
      const auto err = m->err;
      if (!err) {
        ++seen;
        bytes = bytes + m->len;
      }
      rd_kafka_message_destroy(m);
      if (err && err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
        throw std::runtime_error(std::string("raw consumer: ") + rd_kafka_err2str(err));
    }
    rd_kafka_consumer_close(rk.get());
  });
}

double sluice_consume(sluice::job_config config, const std::string& servers,
                      const std::string& topic, const options& o) {
  config.parallelism = 1;
  sluice::environment env(config);
  env.from_source(kafka::kafka_source<std::string>{}
                      .set_bootstrap_servers(servers)
                      .set_topics({topic})
                      .set_bounded()
                      .set_value_deserializer([](std::string_view v) { return std::string(v); }),
                  "topic " + topic)
      .sink_to(sluice::discarding_sink<std::string>{}, "discard");
  return bench::records_per_s(env, "bench_kafka source", o.records);
}

double sluice_produce(sluice::job_config config, const std::string& servers,
                      const std::string& topic, const options& o) {
  config.parallelism = 1;
  sluice::environment env(config);
  const auto bytes = o.value_bytes;
  env.from_source(sluice::make_generator_source(
                      [bytes](std::uint64_t i) { return value_of(i, bytes); }, o.records),
                  "generator")
      .sink_to(kafka::kafka_sink<std::string>{}
                   .set_bootstrap_servers(servers)
                   .set_topic(topic)
                   .set_delivery(kafka::delivery_guarantee::at_least_once)
                   .set_serializer([](const std::string& v) {
                     kafka::kafka_message m;
                     m.value = v;
                     return m;
                   }),
               "topic " + topic);
  return bench::records_per_s(env, "bench_kafka sink", o.records);
}

} // namespace

int main(int argc, char** argv) {
  sluice::environment env{argc, argv,
                          {{"records", "records per run", std::string("180000"), false},
                           {"value-bytes", "bytes per record value", std::string("100"), false},
                           {"partitions", "partitions of the topics", std::string("8"), false},
                           {"repeat", "interleaved runs, best kept", std::string("3"), false},
                           {"json", "print the figures as JSON on the last line", {}, true}}};
  try {
    const options o{std::stoull(env.flag_or("records", "180000")),
                    std::stoull(env.flag_or("value-bytes", "100")),
                    std::stoi(env.flag_or("partitions", "8")), std::stoi(env.flag_or("repeat", "3"))};
    if (o.partitions < 1 || o.repeat < 1)
      throw std::invalid_argument("--partitions and --repeat must be positive");
    // The mock broker keeps about 5 MB per partition and drops older records.
    if (o.records * (o.value_bytes + 70) / static_cast<std::uint64_t>(o.partitions) > (4u << 20))
      throw std::invalid_argument("--records x (--value-bytes + 70) / --partitions must stay "
                                  "under 4 MiB: the mock broker keeps about 5 MB per partition");
    auto owner = kafka::make_handle(RD_KAFKA_PRODUCER, {{"log_level", "3"}}, "mock");
    std::unique_ptr<rd_kafka_mock_cluster_t, mock_deleter> cluster(
        rd_kafka_mock_cluster_new(owner.get(), 1));
    const std::string servers = rd_kafka_mock_cluster_bootstraps(cluster.get());
    rd_kafka_mock_topic_create(cluster.get(), "input", o.partitions, 1);
    raw_produce(servers, "input", o); // the records both consumers read
    double raw_in = 0, sluice_in = 0, raw_out = 0, sluice_out = 0;
    for (int r = 0; r < o.repeat; ++r) {
      const auto out = "output-" + std::to_string(r);
      rd_kafka_mock_topic_create(cluster.get(), (out + "-raw").c_str(), o.partitions, 1);
      rd_kafka_mock_topic_create(cluster.get(), (out + "-sluice").c_str(), o.partitions, 1);
      raw_in = std::max(raw_in, raw_consume(servers, "input", o));
      sluice_in = std::max(sluice_in, sluice_consume(env.config(), servers, "input", o));
      raw_out = std::max(raw_out, raw_produce(servers, out + "-raw", o));
      sluice_out = std::max(sluice_out, sluice_produce(env.config(), servers, out + "-sluice", o));
    }
    std::printf("records: %llu of %zu bytes, %d partitions, best of %d\n",
                static_cast<unsigned long long>(o.records), o.value_bytes, o.partitions, o.repeat);
    std::printf("raw consumer:  %12.0f records/s\n", raw_in);
    std::printf("kafka_source:  %12.0f records/s  (%.2f of raw)\n", sluice_in, sluice_in / raw_in);
    std::printf("raw producer:  %12.0f records/s\n", raw_out);
    std::printf("kafka_sink:    %12.0f records/s  (%.2f of raw)\n", sluice_out,
                sluice_out / raw_out);
    if (env.flag("json"))
      bench::print_json({{"records", static_cast<double>(o.records)},
                         {"source_records_per_s", sluice_in},
                         {"raw_consumer_records_per_s", raw_in},
                         {"source_ratio", sluice_in / raw_in},
                         {"sink_records_per_s", sluice_out},
                         {"raw_producer_records_per_s", raw_out},
                         {"sink_ratio", sluice_out / raw_out}});
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_kafka: error: %s\n", e.what());
    return 1;
  }
}
