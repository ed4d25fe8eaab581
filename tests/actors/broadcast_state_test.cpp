// Flink's broadcast state pattern on the embedded local cluster at parallelism 1 and 2: a
// stream of rules (name, threshold) is broadcast to every subtask of an operator that also
// reads events. The results do not depend on how the two inputs interleave: events are kept
// (in keyed list state, or by the function) and checked against the final rules at the end of
// input; each subtask also reports every rule update it saw. Expected results come from a
// model computed here.

#include "job_test_util.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using namespace sluice;
using sluice::test::test_config;

namespace {

using rule = std::pair<std::string, std::int64_t>; // name, threshold
/// (key, rule, value): key -1 reports a rule update a subtask saw (value: the threshold);
/// otherwise how many events of the key reach the rule's final threshold.
using verdict = std::tuple<std::int64_t, std::string, std::int64_t>;

constexpr std::int64_t events = 3000;
constexpr std::int64_t keys = 7;

const map_state_descriptor<std::string, std::int64_t> rules_state{"rules"};

/// The rules in order; "mid" is updated, so only its last threshold counts.
std::vector<rule> rules() {
  return {{"low", 100}, {"mid", 1000}, {"high", 2500}, {"mid", 1500}, {"all", 0}};
}

std::int64_t key_of(std::int64_t v) { return v % keys; }

/// The final threshold of every rule.
std::map<std::string, std::int64_t> final_rules() {
  std::map<std::string, std::int64_t> out;
  for (const auto& [name, threshold] : rules())
    out[name] = threshold;
  return out;
}

/// Every subtask sees every rule update.
std::vector<verdict> expected_updates(int parallelism) {
  std::vector<verdict> out;
  for (int s = 0; s < parallelism; ++s)
    for (const auto& [name, threshold] : rules())
      out.push_back({-1, name, threshold});
  return out;
}

/// Reports the rule updates; keeps each key's events in list state until the end of input
/// (a timer at the end of time), then counts those that reach each rule.
class keyed_rules final
    : public keyed_broadcast_process_function<std::int64_t, std::int64_t, rule, verdict> {
public:
  void open(const runtime_context& ctx) override {
    values_ = &ctx.get_state(list_state_descriptor<std::int64_t>("values"));
  }
  void process_element(std::int64_t&& v, read_only_context& ctx, collector<verdict>&) override {
    values_->add(v);
    ctx.timer_service().register_event_time_timer(max_watermark);
  }
  void process_broadcast_element(rule&& r, context& ctx, collector<verdict>& out) override {
    ctx.get_broadcast_state(rules_state).put(r.first, r.second);
    out.collect(verdict{-1, r.first, r.second});
  }
  void on_timer(std::int64_t, on_timer_context& ctx, collector<verdict>& out) override {
    const auto values = values_->get();
    for (const auto& [name, threshold] : ctx.get_broadcast_state(rules_state).entries())
      out.collect(verdict{ctx.current_key(), name,
                          std::count_if(values.begin(), values.end(),
                                        [t = threshold](std::int64_t v) { return v >= t; })});
  }

private:
  list_state<std::int64_t>* values_ = nullptr;
};

/// The non-keyed variant: keeps its subtask's events and counts per rule at the end of input
/// (the test adds the subtasks' counts up).
class unkeyed_rules final : public broadcast_process_function<std::int64_t, rule, verdict> {
public:
  void process_element(std::int64_t&& v, read_only_context& ctx, collector<verdict>&) override {
    rules_ = &ctx.get_broadcast_state(rules_state);
    values_.push_back(v);
  }
  void process_broadcast_element(rule&& r, context& ctx, collector<verdict>& out) override {
    ctx.get_broadcast_state(rules_state).put(r.first, r.second);
    out.collect(verdict{-1, r.first, r.second});
  }
  void on_end_of_input(collector<verdict>& out) override {
    if (!rules_)
      return;
    for (const auto& [name, threshold] : rules_->entries())
      out.collect(verdict{0, name,
                          std::count_if(values_.begin(), values_.end(),
                                        [t = threshold](std::int64_t v) { return v >= t; })});
  }

private:
  const read_only_broadcast_state<std::string, std::int64_t>* rules_ = nullptr;
  std::vector<std::int64_t> values_;
};

/// The job: events 0..events-1 (parallel source) and the rules (one source subtask, so
/// their order holds on every channel), broadcast.
template <class Connect>
std::vector<verdict> run(int parallelism, state_backend_kind kind, Connect connect) {
  auto cfg = test_config(parallelism);
  cfg.state.kind = kind;
  environment env(cfg);
  auto broadcast_rules =
      env.from_source(collection_source<rule>{rules()}, "rules").broadcast(rules_state);
  auto numbers = env.from_source(sequence_source{0, events - 1}, "events");
  collecting_sink<verdict> sink;
  connect(numbers, broadcast_rules).sink_to(sink);
  auto result = env.execute("broadcast rules");
  REQUIRE_MESSAGE(result.ok(), result.error());
  auto out = sink.results();
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace

TEST_CASE("rules broadcast to a keyed stream: every subtask gets them, keys see the final ones") {
  for (auto [p, kind] : {std::pair{1, state_backend_kind::heap}, {2, state_backend_kind::heap},
                         {2, state_backend_kind::rocksdb}}) {
    CAPTURE(p);
    const std::string backend = to_string(kind);
    CAPTURE(backend);
    auto expected = expected_updates(p);
    for (std::int64_t k = 0; k < keys; ++k)
      for (const auto& [name, threshold] : final_rules()) {
        std::int64_t n = 0;
        for (std::int64_t v = k; v < events; v += keys)
          n += v >= threshold;
        expected.push_back({k, name, n});
      }
    std::sort(expected.begin(), expected.end());
    auto got = run(p, kind, [](data_stream<std::int64_t>& numbers,
                               broadcast_stream<rule>& broadcast_rules) {
      return numbers.key_by(key_of).connect(broadcast_rules).process(keyed_rules{}, "rules");
    });
    CHECK(got == expected);
  }
}

TEST_CASE("rules broadcast to a non-keyed stream: every subtask reads the same rules") {
  for (int p : {1, 2}) {
    CAPTURE(p);
    auto got = run(p, state_backend_kind::heap, [](data_stream<std::int64_t>& numbers,
                                                   broadcast_stream<rule>& broadcast_rules) {
      return numbers.connect(broadcast_rules).process(unkeyed_rules{}, "rules");
    });
    std::vector<verdict> updates;
    std::map<std::string, std::int64_t> totals;
    for (const auto& [key, name, value] : got)
      if (key == -1)
        updates.push_back({key, name, value});
      else
        totals[name] += value;
    auto expected_upd = expected_updates(p);
    std::sort(expected_upd.begin(), expected_upd.end());
    CHECK(updates == expected_upd);
    std::map<std::string, std::int64_t> expected_totals;
    for (const auto& [name, threshold] : final_rules())
      expected_totals[name] = events - std::max<std::int64_t>(threshold, 0);
    CHECK(totals == expected_totals);
  }
}
