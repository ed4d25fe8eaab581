#include "sluice/connectors/kafka/kafka_partition_reader.hpp"

#include "sluice/operators/core/logging.hpp"
#include "sluice/operators/sources/source_error.hpp"

#include <algorithm>
#include <regex>
#include <stdexcept>
#include <utility>

namespace sluice::kafka {
namespace {

struct partition_list_deleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using partition_list = std::unique_ptr<rd_kafka_topic_partition_list_t, partition_list_deleter>;

partition_list to_list(const std::vector<kafka_split>& splits) {
  partition_list list(rd_kafka_topic_partition_list_new(static_cast<int>(splits.size())));
  for (const auto& s : splits)
    rd_kafka_topic_partition_list_add(list.get(), s.topic.c_str(), s.partition)->offset = s.offset;
  return list;
}

/// Java's String.hashCode (of the UTF-8 bytes; equal for ASCII topic names).
std::int32_t java_hash(const std::string& s) {
  std::uint32_t h = 0;
  for (unsigned char c : s)
    h = 31 * h + c;
  return static_cast<std::int32_t>(h);
}

/// Errors that concern a partition and will not go away by retrying.
bool fatal_partition_error(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
         err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC || err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
         err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
         err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED ||
         err == RD_KAFKA_RESP_ERR__AUTHENTICATION || err == RD_KAFKA_RESP_ERR__FATAL;
}

} // namespace

kafka_partition_reader::kafka_partition_reader(std::shared_ptr<const kafka_source_config> config,
                                               std::string name)
    : config_(std::move(config)), name_(std::move(name)) {}

kafka_partition_reader::~kafka_partition_reader() { close(); }

int kafka_partition_reader::owner(const std::string& topic, std::int32_t partition,
                                  int parallelism) {
  const auto start = static_cast<std::int32_t>(static_cast<std::uint32_t>(java_hash(topic)) * 31u) &
                     0x7fffffff;
  return static_cast<int>((start % parallelism + partition) % parallelism);
}

std::int64_t kafka_partition_reader::split_id(const std::string& topic, std::int32_t partition) {
  return static_cast<std::int64_t>(static_cast<std::uint32_t>(java_hash(topic))) << 24 |
         (partition & 0xffffff);
}

void kafka_partition_reader::fail(const std::string& what) const {
  throw source_error("kafka_source '" + ctx_.task_name() + "': " + what);
}

void kafka_partition_reader::open(const runtime_context& ctx) {
  ctx_ = ctx;
  ctx_.operator_name = name_;
  if (config_->topics.empty() && config_->topic_pattern.empty())
    fail("no topics to read (set_topics or set_topic_pattern)");
  auto props = config_->props;
  group_given_ = props.count("group.id") > 0;
  props.emplace("group.id", "sluice-kafka-source"); // librdkafka's consumer API needs one
  props["enable.auto.commit"] = "false";
  props["enable.auto.offset.store"] = "false";
  props["enable.partition.eof"] = config_->stop.bounded ? "true" : "false"; // ends of splits
  props.emplace("auto.offset.reset", "earliest");
  consumer_ = make_handle(RD_KAFKA_CONSUMER, props, "kafka_source '" + ctx_.task_name() + "'");
  state_ = ctx.operator_state ? &ctx.operator_state->get_union_list_state(
                                    list_state_descriptor<kafka_split>("kafka-splits"))
                              : nullptr;
  splits_.clear();
  index_.clear();
  known_.clear();
  auto topics = matching_topics(config_->metadata_timeout_ms);
  if (ctx.restored && state_) {
    for (auto& s : state_->get()) {
      known_.insert({s.topic, s.partition});
      if (owner(s.topic, s.partition, ctx.parallelism) == ctx.subtask_index)
        splits_.push_back(std::move(s));
    }
    if (!config_->stop.bounded)
      add_discovered(topics);
  } else {
    start_fresh(topics);
  }
  open_splits_ = 0;
  std::vector<kafka_split> readable;
  for (std::size_t i = 0; i < splits_.size(); ++i) {
    index_[{splits_[i].topic, splits_[i].partition}] = i;
    if (!splits_[i].finished()) {
      readable.push_back(splits_[i]);
      ++open_splits_;
    }
  }
  assign(readable);
  next_discovery_ = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(config_->discovery_interval_ms);
}

std::map<std::string, int> kafka_partition_reader::matching_topics(int timeout_ms) {
  auto all = list_topics(consumer_.get(), timeout_ms, "kafka_source '" + ctx_.task_name() + "'");
  std::map<std::string, int> out;
  if (!config_->topic_pattern.empty()) {
    std::regex pattern(config_->topic_pattern);
    for (const auto& [topic, partitions] : all)
      if (std::regex_match(topic, pattern))
        out.emplace(topic, partitions);
    return out;
  }
  for (const auto& topic : config_->topics) {
    auto it = all.find(topic);
    if (it == all.end())
      fail("topic '" + topic + "' does not exist");
    out.emplace(topic, it->second);
  }
  return out;
}

void kafka_partition_reader::start_fresh(const std::map<std::string, int>& topics) {
  std::vector<kafka_split> mine;
  for (const auto& [topic, partitions] : topics)
    for (std::int32_t p = 0; p < partitions; ++p) {
      known_.insert({topic, p});
      if (owner(topic, p, ctx_.parallelism) == ctx_.subtask_index)
        mine.push_back({topic, p, 0, -1});
    }
  resolve_start_offsets(mine);
  splits_ = std::move(mine);
}

void kafka_partition_reader::resolve_start_offsets(std::vector<kafka_split>& fresh) {
  using mode = start_offsets::mode;
  const auto& start = config_->start;
  const auto& stop = config_->stop;
  const auto who = "kafka_source '" + ctx_.task_name() + "'";
  std::map<topic_partition, std::int64_t> committed;
  if (start.from == mode::committed && !fresh.empty()) {
    if (!group_given_)
      fail("start offsets 'committed' need a group.id (set_group_id)");
    auto list = to_list(fresh);
    if (auto err = rd_kafka_committed(consumer_.get(), list.get(), config_->metadata_timeout_ms))
      fail(std::string("cannot read the group's committed offsets: ") + rd_kafka_err2str(err));
    for (int i = 0; i < list->cnt; ++i)
      if (list->elems[i].offset >= 0)
        committed[{list->elems[i].topic, list->elems[i].partition}] = list->elems[i].offset;
  }
  for (auto& s : fresh) {
    const topic_partition tp{s.topic, s.partition};
    auto [low, high] = watermark_offsets(consumer_.get(), s.topic, s.partition,
                                         config_->metadata_timeout_ms, who);
    auto chosen = start.from;
    if (start.from == mode::committed || start.from == mode::specific) {
      const auto& given = start.from == mode::committed ? committed : start.offsets;
      auto it = given.find(tp);
      if (it != given.end())
        s.offset = it->second;
      else
        chosen = start.fallback;
    }
    if (chosen == mode::earliest)
      s.offset = low;
    else if (chosen == mode::latest)
      s.offset = high;
    if (stop.bounded) {
      auto it = stop.offsets.find(tp);
      s.stop = it != stop.offsets.end() ? it->second : high;
    }
  }
}

std::vector<kafka_split>
kafka_partition_reader::add_discovered(const std::map<std::string, int>& topics) {
  std::vector<kafka_split> fresh;
  for (const auto& [topic, partitions] : topics)
    for (std::int32_t p = 0; p < partitions; ++p)
      if (known_.insert({topic, p}).second &&
          owner(topic, p, ctx_.parallelism) == ctx_.subtask_index)
        fresh.push_back({topic, p, 0, -1});
  const auto who = "kafka_source '" + ctx_.task_name() + "'";
  for (auto& s : fresh) {
    s.offset = watermark_offsets(consumer_.get(), s.topic, s.partition,
                                 config_->metadata_timeout_ms, who)
                   .first;
    log()->info("{}: reads new {} from offset {}", who, partition_name(s.topic, s.partition),
                s.offset);
  }
  splits_.insert(splits_.end(), fresh.begin(), fresh.end());
  return fresh;
}

void kafka_partition_reader::assign(const std::vector<kafka_split>& splits) {
  if (splits.empty())
    return;
  if (ctx_.split) // each partition holds the watermark back from now on, records or not
    for (const auto& s : splits)
      ctx_.split->assigned.push_back(split_id(s.topic, s.partition));
  auto list = to_list(splits);
  if (auto* error = rd_kafka_incremental_assign(consumer_.get(), list.get())) {
    std::string text = rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
    fail("cannot assign its partitions: " + text);
  }
}

void kafka_partition_reader::discover_if_due() {
  if (config_->stop.bounded || config_->discovery_interval_ms <= 0 ||
      std::chrono::steady_clock::now() < next_discovery_)
    return;
  next_discovery_ = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(config_->discovery_interval_ms);
  try {
    auto fresh = add_discovered(matching_topics(config_->discovery_timeout_ms));
    for (std::size_t i = splits_.size() - fresh.size(); i < splits_.size(); ++i)
      index_[{splits_[i].topic, splits_[i].partition}] = i;
    open_splits_ += fresh.size();
    assign(fresh);
  } catch (const kafka_error& e) {
    log()->warn("kafka_source '{}': partition discovery failed, retried in {} ms: {}",
                ctx_.task_name(), config_->discovery_interval_ms, e.what());
  }
}

void kafka_partition_reader::finish_split(std::size_t index) {
  auto& s = splits_[index];
  s.offset = std::max(s.offset, s.stop);
  --open_splits_;
  if (ctx_.split)
    ctx_.split->finished.push_back(split_id(s.topic, s.partition));
  auto list = to_list({s});
  rd_kafka_pause_partitions(consumer_.get(), list.get());
}

source_status kafka_partition_reader::poll(std::size_t max_records,
                                           const std::function<void(const kafka_record&)>& emit) {
  discover_if_due();
  std::size_t emitted = 0;
  kafka_record rec;
  while (emitted < max_records && open_splits_ > 0) {
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(consumer_.get(), 0);
    if (!msg)
      break;
    std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> guard(
        msg, rd_kafka_message_destroy);
    const char* topic = msg->rkt ? rd_kafka_topic_name(msg->rkt) : "";
    if (msg->err && msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      const auto text = partition_name(topic, msg->partition) + ": " + rd_kafka_message_errstr(msg);
      if (fatal_partition_error(msg->err))
        fail("reading " + text);
      log()->warn("kafka_source '{}': {} (retried)", ctx_.task_name(), text);
      continue;
    }
    auto it = index_.find({topic, msg->partition});
    if (it == index_.end())
      continue;
    auto& split = splits_[it->second];
    if (split.finished() || msg->offset < split.offset)
      continue; // fetched before the split ended or was paused
    if (msg->err) { // end of partition: msg->offset is the next offset
      split.offset = std::max(split.offset, msg->offset);
      if (split.finished())
        finish_split(it->second);
      continue;
    }
    if (split.stop >= 0 && msg->offset >= split.stop) {
      finish_split(it->second);
      continue;
    }
    rec.topic = topic;
    rec.partition = msg->partition;
    rec.offset = msg->offset;
    rd_kafka_timestamp_type_t type;
    rec.timestamp = rd_kafka_message_timestamp(msg, &type);
    rec.key = msg->key ? std::optional<std::string_view>(std::string_view(
                             static_cast<const char*>(msg->key), msg->key_len))
                       : std::nullopt;
    rec.value = msg->payload ? std::string_view(static_cast<const char*>(msg->payload), msg->len)
                             : std::string_view();
    rec.headers.clear();
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(msg, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name;
      const void* value;
      size_t size;
      for (size_t i = 0; !rd_kafka_header_get_all(headers, i, &name, &value, &size); ++i)
        rec.headers.emplace_back(name, std::string_view(static_cast<const char*>(value), size));
    }
    if (ctx_.split)
      ctx_.split->current = split_id(split.topic, split.partition);
    if (ctx_.element_time)
      ctx_.element_time->value = rec.timestamp >= 0 ? rec.timestamp : no_timestamp;
    split.offset = msg->offset + 1;
    bytes_read_ += static_cast<std::int64_t>(msg->len + msg->key_len);
    ++emitted;
    emit(rec);
    if (split.finished())
      finish_split(it->second);
  }
  if (open_splits_ == 0 && config_->stop.bounded)
    return source_status::finished;
  return emitted > 0 ? source_status::more : source_status::idle;
}

std::int64_t kafka_partition_reader::pending_records() const {
  std::int64_t pending = 0;
  for (const auto& s : splits_) {
    if (s.finished())
      continue;
    std::int64_t end = s.stop;
    if (end < 0) {
      std::int64_t low = 0;
      if (!consumer_ || rd_kafka_get_watermark_offsets(consumer_.get(), s.topic.c_str(),
                                                       s.partition, &low, &end) ||
          end < 0)
        return -1;
    }
    pending += std::max<std::int64_t>(end - s.offset, 0);
  }
  return pending;
}

void kafka_partition_reader::snapshot(std::int64_t checkpoint_id) {
  if (!state_)
    throw std::logic_error("kafka_source '" + ctx_.task_name() +
                           "' has no operator state backend to checkpoint its offsets in");
  state_->update(splits_);
  if (group_given_)
    to_commit_[checkpoint_id] = splits_;
}

void kafka_partition_reader::checkpoint_complete(std::int64_t checkpoint_id) {
  auto it = to_commit_.find(checkpoint_id);
  if (it == to_commit_.end())
    return;
  auto list = to_list(it->second);
  to_commit_.erase(to_commit_.begin(), std::next(it));
  if (list->cnt == 0 || !consumer_)
    return;
  if (auto err = rd_kafka_commit(consumer_.get(), list.get(), 1))
    log()->warn("kafka_source '{}': committing the offsets of checkpoint {} failed: {}",
                ctx_.task_name(), checkpoint_id, rd_kafka_err2str(err));
}

void kafka_partition_reader::close() {
  if (!consumer_)
    return;
  rd_kafka_consumer_close(consumer_.get());
  consumer_.reset();
}

} // namespace sluice::kafka
