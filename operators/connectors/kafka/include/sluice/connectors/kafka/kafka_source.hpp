#pragma once
// kafka_source<T>: records of Kafka topics as a replayable, parallel source (Flink's KafkaSource).
//
//   auto src = kafka::kafka_source<std::string>{}
//                  .set_bootstrap_servers("localhost:9092")
//                  .set_topics({"lines"})
//                  .set_group_id("word-count")
//                  .set_starting_offsets(kafka::start_offsets::committed())
//                  .set_value_deserializer([](std::string_view v) { return std::string(v); });
//   env.from_source(src, "lines", watermark_strategy<std::string>::for_monotonous_timestamps()
//                                     .with_idleness(std::chrono::seconds(5)));
//
// Partitions, offsets, restore and polling: see kafka_partition_reader.hpp. Each record carries
// its Kafka timestamp (no_timestamp if it has none) and its partition as split, so a watermark
// strategy given to from_source keeps one watermark per partition, the subtask's being the
// minimum over partitions not idle (with_idleness); a subtask without partitions marks itself
// idle. A record the deserializer throws on fails the job naming topic, partition and offset, or
// with skip_malformed() is skipped and counted (and sent to a side output if a tag is given).

#include "sluice/connectors/kafka/kafka_partition_reader.hpp"
#include "sluice/operators/core/logging.hpp"
#include "sluice/operators/sources/source_error.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::kafka {

template <class T>
class kafka_source final : public copyable_source<kafka_source<T>, T> {
public:
  using value_deserializer = std::function<T(std::string_view)>;
  using record_deserializer = std::function<T(const kafka_record&)>;

  kafka_source() = default;
  /// A copy shares the configuration and the skipped-record count, and is not open.
  kafka_source(const kafka_source& o)
      : config_(o.config_), deserialize_(o.deserialize_), skip_malformed_(o.skip_malformed_),
        malformed_tag_(o.malformed_tag_), skipped_(o.skipped_) {}

  kafka_source& set_bootstrap_servers(std::string servers) {
    return set_property("bootstrap.servers", std::move(servers));
  }
  kafka_source& set_topics(std::vector<std::string> topics) {
    config_->topics = std::move(topics);
    return *this;
  }
  /// Topics whose whole name matches `regex` (ECMAScript), including ones created later.
  kafka_source& set_topic_pattern(std::string regex) {
    config_->topic_pattern = std::move(regex);
    return *this;
  }
  kafka_source& set_group_id(std::string group) {
    return set_property("group.id", std::move(group));
  }
  kafka_source& set_starting_offsets(start_offsets start) {
    config_->start = std::move(start);
    return *this;
  }
  /// Bounded mode: the source finishes once every partition reached its end offset.
  kafka_source& set_bounded(stop_offsets stop = stop_offsets::latest()) {
    config_->stop = std::move(stop);
    config_->stop.bounded = true;
    return *this;
  }
  /// Any librdkafka consumer property; `partition.discovery.interval.ms` (30000; 0: off) is
  /// the source's own.
  kafka_source& set_property(const std::string& key, std::string value) {
    if (key == "partition.discovery.interval.ms")
      config_->discovery_interval_ms = std::stoll(value);
    else
      config_->props[key] = std::move(value);
    return *this;
  }
  /// How long open() waits for metadata and offsets before it fails (10 s).
  kafka_source& set_metadata_timeout(std::chrono::milliseconds timeout) {
    config_->metadata_timeout_ms = static_cast<int>(timeout.count());
    return *this;
  }
  /// Turns the record's value into T.
  kafka_source& set_value_deserializer(value_deserializer f) {
    deserialize_ = [f = std::move(f)](const kafka_record& r) { return f(r.value); };
    return *this;
  }
  /// Turns the whole record (key, headers, topic, partition, offset, timestamp) into T.
  kafka_source& set_deserializer(record_deserializer f) {
    deserialize_ = std::move(f);
    return *this;
  }
  /// Skips (and counts, and logs) records the deserializer throws on instead of failing.
  kafka_source& skip_malformed(bool skip = true) {
    skip_malformed_ = skip;
    return *this;
  }
  /// Skips and counts malformed records as skip_malformed(), and sends each to side output
  /// `tag` (topic, partition, offset, key and value bytes, the error): get it with
  /// get_side_output(tag) on the stream from_source(src, name) returned.
  kafka_source& skip_malformed(output_tag<malformed_kafka_record> tag) {
    skip_malformed_ = true;
    malformed_tag_ = std::move(tag);
    return *this;
  }

  /// Records skipped by all subtasks of this process (skip_malformed).
  std::uint64_t skipped_records() const { return skipped_->load(); }
  const kafka_source_config& config() const { return *config_; }

  void open(const runtime_context& ctx) override {
    if (!deserialize_)
      throw source_error("kafka_source '" + ctx.task_name() +
                         "': no deserializer (set_value_deserializer or set_deserializer)");
    marked_idle_ = false;
    reader_ = std::make_unique<kafka_partition_reader>(config_, ctx.operator_name);
    reader_->open(ctx);
  }
  source_status poll(collector<T>& out, std::size_t max_records) override {
    mark_idle_without_splits(out);
    return reader_->poll(max_records, [&](const kafka_record& r) { deserialize(r, out); });
  }
  void close() override { reader_.reset(); }
  bool replayable() const override { return true; }
  void snapshot_state(std::int64_t id) override { reader_->snapshot(id); }
  void notify_checkpoint_complete(std::int64_t id) override { reader_->checkpoint_complete(id); }
  /// pending_records: end offset - position, summed over its partitions (kafka_partition_reader);
  /// bytes_read: of the keys and values it read.
  source_backlog backlog() const override {
    if (!reader_)
      return {};
    return {reader_->pending_records(), -1, -1, reader_->bytes_read()};
  }

  /// The splits this subtask reads (after open).
  const std::vector<kafka_split>& splits() const { return reader_->splits(); }

private:
  /// Deserializes `r` into out; a deserializer error fails or skips (not a downstream one).
  void deserialize(const kafka_record& r, collector<T>& out) {
    std::optional<T> value;
    try {
      value.emplace(deserialize_(r));
    } catch (const std::exception& e) {
      const auto where = partition_name(std::string(r.topic), r.partition) + " offset " +
                         std::to_string(r.offset);
      if (!skip_malformed_)
        throw source_error("kafka_source: cannot deserialize the record at " + where + ": " +
                           e.what());
      ++*skipped_;
      log()->warn("kafka_source: skipped the record at {}: {}", where, e.what());
      if (malformed_tag_ && this->side_outputs())
        this->side_outputs()->output(
            *malformed_tag_,
            malformed_kafka_record{std::string(r.topic), r.partition, r.offset,
                                   r.key ? std::optional<std::string>(*r.key) : std::nullopt,
                                   std::string(r.value), e.what()});
      return;
    }
    out.collect(std::move(*value));
  }

  /// A subtask without partitions (more subtasks than partitions) is idle, so that it does not
  /// hold back the watermarks downstream (as Flink's readers without splits); it is active
  /// again once discovery gives it one.
  void mark_idle_without_splits(collector<T>& out) {
    const bool idle = reader_->splits().empty();
    if (idle != marked_idle_) {
      marked_idle_ = idle;
      out.emit_watermark_status(idle);
    }
  }

  std::shared_ptr<kafka_source_config> config_ = std::make_shared<kafka_source_config>();
  record_deserializer deserialize_;
  bool skip_malformed_ = false;
  std::optional<output_tag<malformed_kafka_record>> malformed_tag_;
  bool marked_idle_ = false;
  std::shared_ptr<std::atomic<std::uint64_t>> skipped_ =
      std::make_shared<std::atomic<std::uint64_t>>(0);
  std::unique_ptr<kafka_partition_reader> reader_;
};

} // namespace sluice::kafka
