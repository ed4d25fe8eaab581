#pragma once
// Subtasks of a kafka_source driven by hand: opened fresh or restored from the operator state
// of a checkpoint (at any parallelism), polled until they emitted enough or finished.

#include "connectors/kafka/mock_cluster.hpp"
#include "operators/operator_state_checkpoints.hpp"
#include "sluice/connectors/kafka/kafka_source.hpp"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sluice::kafka::test {

/// A record as a subtask emitted it: its value, split slot and timestamp slot.
struct emitted_record {
  std::string value;
  std::int64_t split;
  std::int64_t timestamp;
};

class source_subtasks {
public:
  source_subtasks(const kafka_source<std::string>& proto, int parallelism,
                  const std::string& checkpoint_dir,
                  const std::vector<operator_state_handle>* restore_from = nullptr)
      : state_(parallelism, checkpoint_dir, restore_from, "kafka") {
    for (int i = 0; i < parallelism; ++i) {
      auto s = std::make_unique<subtask>();
      auto ctx = state_.context(i);
      ctx.split = &s->split;
      ctx.element_time = &s->time;
      s->src = std::make_unique<kafka_source<std::string>>(proto);
      s->out.owner = s.get();
      s->src->open(ctx);
      subtasks_.push_back(std::move(s));
    }
  }
  ~source_subtasks() {
    for (auto& s : subtasks_)
      s->src->close();
  }

  /// Polls subtask i until it emitted `count` records in all (or finished); throws after
  /// 20000 polls without progress (the test then fails instead of hanging).
  void poll_until(int i, std::size_t count) {
    auto& s = *subtasks_.at(static_cast<std::size_t>(i));
    int stalled = 0;
    while (s.records.size() < count && s.status != source_status::finished) {
      const auto before = s.records.size();
      s.status = s.src->poll(s.out, count - s.records.size());
      if (s.records.size() == before) {
        if (++stalled > 20000)
          throw std::runtime_error("subtask " + std::to_string(i) + " emitted nothing new");
        std::this_thread::sleep_for(std::chrono::microseconds(500));
      } else {
        stalled = 0;
      }
    }
  }
  /// Polls every subtask until it finished (bounded mode).
  void drain() {
    for (int i = 0; i < parallelism(); ++i)
      poll_until(i, static_cast<std::size_t>(-1));
  }
  std::vector<operator_state_handle> checkpoint(std::int64_t id) {
    std::vector<operator_state_handle> handles;
    for (int i = 0; i < parallelism(); ++i) {
      subtasks_[static_cast<std::size_t>(i)]->src->snapshot_state(id);
      handles.push_back(state_.snapshot(i, id));
    }
    return handles;
  }

  int parallelism() const { return static_cast<int>(subtasks_.size()); }
  std::vector<emitted_record>& records(int i) { return subtasks_.at(static_cast<std::size_t>(i))->records; }
  kafka_source<std::string>& source(int i) { return *subtasks_.at(static_cast<std::size_t>(i))->src; }
  source_status status(int i) const { return subtasks_.at(static_cast<std::size_t>(i))->status; }
  const split_slot& split(int i) const { return subtasks_.at(static_cast<std::size_t>(i))->split; }

private:
  struct subtask;
  struct recording final : collector<std::string> {
    void collect(std::string&& v) override;
    void emit_watermark(std::int64_t) override {}
    using collector<std::string>::collect;
    subtask* owner = nullptr;
  };
  struct subtask {
    split_slot split;
    timestamp_slot time;
    std::unique_ptr<kafka_source<std::string>> src;
    recording out;
    std::vector<emitted_record> records;
    source_status status = source_status::more;
  };

  sluice::test::operator_subtasks state_;
  std::vector<std::unique_ptr<subtask>> subtasks_;
};

inline void source_subtasks::recording::collect(std::string&& v) {
  owner->records.push_back({std::move(v), owner->split.current, owner->time.value});
}

/// A source of the values of `topics` on `cluster`, as strings.
inline kafka_source<std::string> string_source(const mock_cluster& cluster,
                                               std::vector<std::string> topics) {
  return kafka_source<std::string>{}
      .set_bootstrap_servers(cluster.bootstrap_servers())
      .set_topics(std::move(topics))
      .set_value_deserializer([](std::string_view v) { return std::string(v); });
}

} // namespace sluice::kafka::test
