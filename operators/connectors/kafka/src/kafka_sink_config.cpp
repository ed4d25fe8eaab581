#include "sluice/connectors/kafka/kafka_sink.hpp"

#include <stdexcept>

namespace sluice::kafka {
namespace {
constexpr std::int64_t librdkafka_default_transaction_timeout_ms = 60000;
}

delivery_guarantee parse_delivery_guarantee(const std::string& text) {
  if (text == "none")
    return delivery_guarantee::none;
  if (text == "at-least-once")
    return delivery_guarantee::at_least_once;
  if (text == "exactly-once")
    return delivery_guarantee::exactly_once;
  throw std::invalid_argument("'" + text + "' is not a delivery guarantee (none, at-least-once, "
                              "exactly-once)");
}

properties kafka_sink_config::producer_properties() const {
  auto p = props;
  p.emplace("partitioner", "murmur2_random");
  return p;
}

void kafka_sink_config::validate(const job_config& job) const {
  validate(job.checkpointing.enabled() ? job.checkpointing.interval_ms : 0);
}

void kafka_sink_config::validate(std::int64_t checkpoint_interval_ms) const {
  if (delivery != delivery_guarantee::exactly_once)
    return;
  if (transactional_id_prefix.empty())
    throw config_error("kafka_sink: exactly-once needs a transactional id prefix");
  if (topic.empty())
    throw config_error("kafka_sink: exactly-once needs a topic (set_topic): its commit markers "
                       "are stored on the topic's partition 0");
  if (checkpoint_interval_ms <= 0)
    return;
  auto it = props.find("transaction.timeout.ms");
  std::int64_t timeout = librdkafka_default_transaction_timeout_ms;
  if (it != props.end()) {
    try {
      timeout = std::stoll(it->second);
    } catch (const std::exception&) {
      throw config_error("kafka_sink: transaction.timeout.ms '" + it->second +
                         "' is not a number");
    }
  }
  if (timeout <= checkpoint_interval_ms)
    throw config_error("kafka_sink: transaction.timeout.ms (" + std::to_string(timeout) +
                       ") must be greater than --checkpoint-interval-ms (" +
                       std::to_string(checkpoint_interval_ms) +
                       "): a transaction stays open from one checkpoint until the next "
                       "completes, and the broker aborts it after its timeout");
}

} // namespace sluice::kafka
